using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Know2Vec.Storage.Sqlite;

/// <summary>
/// One SQLite file shared by several components (the catalog and the embedded vector index may use
/// the same file, each with its own tables) and several threads/processes (API, Hangfire workers).
/// Opens a pooled connection per operation and creates the component's schema once, on first use.
/// </summary>
internal sealed class SqliteDatabase : IDisposable
{
    private readonly string _component;
    private readonly IReadOnlyList<string> _migrations;
    private readonly int _busyTimeoutMs;
    private readonly SemaphoreSlim _schemaGate = new(1, 1);
    private volatile bool _schemaReady;
    private volatile bool _disposed;

    /// <param name="path">Database file; its directory is created if missing.</param>
    /// <param name="busyTimeout">How long a statement waits for another writer's lock before failing.</param>
    /// <param name="component">Key of this component's row in the shared schema_version table.</param>
    /// <param name="migrations">Script i moves the component's schema from version i to i + 1.</param>
    public SqliteDatabase(string path, TimeSpan busyTimeout, string component, IReadOnlyList<string> migrations)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (busyTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(busyTimeout), busyTimeout, "The busy timeout must be positive.");
        }
        // Per-operation connections would each see a different private database.
        if (path.Trim() == ":memory:" || path.StartsWith("file::memory:", StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException("An in-memory SQLite database is not supported: give a file path.", nameof(path));
        }

        Path = System.IO.Path.GetFullPath(path);
        _component = component;
        _migrations = migrations;
        _busyTimeoutMs = (int)Math.Min(int.MaxValue, busyTimeout.TotalMilliseconds);
        ConnectionString = new SqliteConnectionStringBuilder
        {
            DataSource = Path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            // foreign_keys is per connection and off by default in SQLite; the cascades depend on it.
            ForeignKeys = true,
            Pooling = true,
            // Microsoft.Data.Sqlite also retries SQLITE_BUSY until the command timeout.
            DefaultTimeout = Math.Max(1, (int)Math.Ceiling(busyTimeout.TotalSeconds)),
        }.ToString();
    }

    public string Path { get; }

    public string ConnectionString { get; }

    /// <summary>Opens a connection on a database whose schema is current.</summary>
    public async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!_schemaReady)
        {
            await EnsureSchemaAsync(cancellationToken);
        }
        return await OpenRawAsync(cancellationToken);
    }

    private async Task<SqliteConnection> OpenRawAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(ConnectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            // SQLite's own busy handler waits on the lock inside sqlite3_step, without polling.
            await ExecuteAsync(connection, null, $"PRAGMA busy_timeout = {_busyTimeoutMs.ToString(CultureInfo.InvariantCulture)};", cancellationToken)
                ;
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private async Task EnsureSchemaAsync(CancellationToken cancellationToken)
    {
        await _schemaGate.WaitAsync(cancellationToken);
        try
        {
            if (_schemaReady)
            {
                return;
            }
            var directory = System.IO.Path.GetDirectoryName(Path);
            if (!string.IsNullOrEmpty(directory))
            {
                Directory.CreateDirectory(directory);
            }

            await using var connection = await OpenRawAsync(cancellationToken);
            // WAL lets readers (searches, status polls) run while a worker writes; the mode is
            // stored in the file, so setting it again is a no-op.
            await ExecuteAsync(connection, null, "PRAGMA journal_mode = WAL;", cancellationToken);

            // IMMEDIATE: take the write lock up front, so two processes creating the schema at
            // once serialise instead of failing on a read-to-write lock upgrade.
            await using var transaction = BeginImmediate(connection);
            await ExecuteAsync(connection, transaction,
                "CREATE TABLE IF NOT EXISTS schema_version (component TEXT PRIMARY KEY NOT NULL, version INTEGER NOT NULL);",
                cancellationToken);

            long current;
            await using (var read = connection.CreateCommand())
            {
                read.Transaction = transaction;
                read.CommandText = "SELECT version FROM schema_version WHERE component = $component;";
                read.Parameters.AddWithValue("$component", _component);
                current = await read.ExecuteScalarAsync(cancellationToken) is long v ? v : 0;
            }
            if (current > _migrations.Count)
            {
                throw new InvalidOperationException(
                    $"The database {Path} has {_component} schema version {current}, newer than this build's {_migrations.Count}. Upgrade the service.");
            }
            for (var version = (int)current; version < _migrations.Count; version++)
            {
                await ExecuteAsync(connection, transaction, _migrations[version], cancellationToken);
            }
            await using (var write = connection.CreateCommand())
            {
                write.Transaction = transaction;
                write.CommandText = """
                    INSERT INTO schema_version (component, version) VALUES ($component, $version)
                    ON CONFLICT (component) DO UPDATE SET version = excluded.version;
                    """;
                write.Parameters.AddWithValue("$component", _component);
                write.Parameters.AddWithValue("$version", _migrations.Count);
                await write.ExecuteNonQueryAsync(cancellationToken);
            }
            await transaction.CommitAsync(cancellationToken);
            _schemaReady = true;
        }
        finally
        {
            _schemaGate.Release();
        }
    }

    /// <summary>
    /// A write transaction that takes the write lock at BEGIN (BEGIN IMMEDIATE). A deferred one
    /// would upgrade from read to write later and could fail with SQLITE_BUSY at once, without the
    /// busy timeout, when another connection writes meanwhile.
    /// </summary>
    public static SqliteTransaction BeginImmediate(SqliteConnection connection) =>
        connection.BeginTransaction(deferred: false);

    public static async Task<int> ExecuteAsync(SqliteConnection connection, SqliteTransaction? transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Instants as sortable ISO 8601 text in UTC (SQLite has no timestamp type).</summary>
    public static string FormatTime(DateTimeOffset value) =>
        value.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture);

    public static DateTimeOffset ParseTime(string value) =>
        DateTimeOffset.Parse(value, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);

    /// <summary>Closes the pooled connections to the file (which also checkpoints the WAL).</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        using var connection = new SqliteConnection(ConnectionString);
        SqliteConnection.ClearPool(connection);
        _schemaGate.Dispose();
    }
}
