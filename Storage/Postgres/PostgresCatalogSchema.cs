using System.Text.RegularExpressions;
using Dapper;
using Npgsql;

namespace Know2Vec.Storage.Postgres;

/// <summary>
/// The PostgreSQL catalog's schema and its migrations. Migrations run only when asked — by the
/// deploy step (<c>dotnet run --project Indexer -- migrate</c>, the compose service <c>migrate</c>) —
/// never silently when a process starts: several Api and worker processes start at once, and a
/// schema change is a deliberate act. A <see cref="PostgresCatalog"/> on an older or newer schema
/// refuses to work and says what to run.
/// </summary>
public static partial class PostgresCatalogSchema
{
    /// <summary>Allowed schema names: a lowercase identifier that needs no quoting.</summary>
    public const string SchemaPattern = "^[a-z_][a-z0-9_]{0,62}$";

    /// <summary>What an operator runs to bring the schema up to date.</summary>
    public const string MigrateCommand = "dotnet run --project Indexer -- migrate (or the compose service 'migrate')";

    // Script i moves the schema from version i to i + 1; never edit a shipped script, append one.
    // {0} is the schema name. Ids use the "C" collation: ordinal ORDER BY, as ICatalog promises.
    private static readonly IReadOnlyList<string> Migrations =
    [
        """
        CREATE TABLE {0}.zoos (
            id             text COLLATE "C" PRIMARY KEY,
            name           text NOT NULL,
            version        text NOT NULL,
            description    text,
            root_directory text NOT NULL,
            created_at     timestamptz NOT NULL
        );
        CREATE TABLE {0}.models (
            id             text COLLATE "C" PRIMARY KEY,
            zoo_id         text COLLATE "C" NOT NULL REFERENCES {0}.zoos (id) ON DELETE CASCADE,
            name           text COLLATE "C" NOT NULL,
            file           text NOT NULL,
            sha256         text NOT NULL,
            architecture   text COLLATE "C" NOT NULL,
            parameters     bigint NOT NULL,
            labels         text[] NOT NULL,
            tags           text[] COLLATE "C" NOT NULL,
            license        text NOT NULL,
            input          jsonb NOT NULL,
            metadata       jsonb,
            status         text NOT NULL CHECK (status IN ('Pending', 'Indexing', 'Indexed', 'Failed')),
            failure_reason text,
            updated_at     timestamptz NOT NULL,
            UNIQUE (zoo_id, name)
        );
        CREATE INDEX ix_models_status ON {0}.models (status);
        CREATE INDEX ix_models_architecture ON {0}.models (architecture);
        CREATE INDEX ix_models_tags ON {0}.models USING gin (tags);
        CREATE TABLE {0}.knowledge (
            model_id           text COLLATE "C" PRIMARY KEY REFERENCES {0}.models (id) ON DELETE CASCADE,
            probe_pool_version text NOT NULL,
            classes            integer NOT NULL,
            dimension          integer NOT NULL,
            data               bytea NOT NULL,
            updated_at         timestamptz NOT NULL
        );
        """,
    ];

    /// <summary>The schema version this build works with.</summary>
    public static int CurrentVersion => Migrations.Count;

    /// <summary>Whether <paramref name="schema"/> is an allowed schema name.</summary>
    public static bool IsValidSchema(string? schema) => schema is not null && SchemaRegex().IsMatch(schema);

    /// <summary>
    /// Creates the schema if needed and applies every migration it lacks, in one transaction under an
    /// advisory lock (two deploy steps at once serialise). Idempotent.
    /// </summary>
    /// <returns>The version before and after.</returns>
    /// <exception cref="InvalidOperationException">The database has a newer schema than this build.</exception>
    public static async Task<(int From, int To)> MigrateAsync(NpgsqlDataSource dataSource, string schema, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        RequireValidSchema(schema);

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            "SELECT pg_advisory_xact_lock(hashtext('know2vec-migrate:' || @schema));", new { schema }, transaction, cancellationToken: cancellationToken))
            ;
        await connection.ExecuteAsync(new CommandDefinition(
            $"""
            CREATE SCHEMA IF NOT EXISTS {schema};
            CREATE TABLE IF NOT EXISTS {schema}.schema_version (component text PRIMARY KEY, version integer NOT NULL);
            """, transaction: transaction, cancellationToken: cancellationToken));

        var from = await ReadVersionAsync(connection, transaction, schema, cancellationToken);
        if (from > CurrentVersion)
        {
            throw NewerThanBuild(schema, from);
        }
        for (var version = from; version < CurrentVersion; version++)
        {
            await connection.ExecuteAsync(new CommandDefinition(
                string.Format(System.Globalization.CultureInfo.InvariantCulture, Migrations[version], schema),
                transaction: transaction, cancellationToken: cancellationToken));
        }
        await connection.ExecuteAsync(new CommandDefinition(
            $"""
            INSERT INTO {schema}.schema_version (component, version) VALUES ('catalog', @version)
            ON CONFLICT (component) DO UPDATE SET version = excluded.version;
            """, new { version = CurrentVersion }, transaction, cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        return (from, CurrentVersion);
    }

    /// <summary>The catalog schema version in the database (0 when never migrated).</summary>
    public static async Task<int> GetVersionAsync(NpgsqlDataSource dataSource, string schema, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        RequireValidSchema(schema);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var exists = await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            "SELECT to_regclass(@table) IS NOT NULL;", new { table = $"{schema}.schema_version" }, cancellationToken: cancellationToken))
            ;
        return exists ? await ReadVersionAsync(connection, null, schema, cancellationToken) : 0;
    }

    /// <summary>Throws unless the database's schema is exactly the one this build needs.</summary>
    internal static async Task RequireCurrentAsync(NpgsqlDataSource dataSource, string schema, CancellationToken cancellationToken)
    {
        var version = await GetVersionAsync(dataSource, schema, cancellationToken);
        if (version > CurrentVersion)
        {
            throw NewerThanBuild(schema, version);
        }
        if (version < CurrentVersion)
        {
            throw new InvalidOperationException(
                $"The PostgreSQL catalog schema '{schema}' is at version {version}; this build needs {CurrentVersion}. Run the migrations first: {MigrateCommand}.");
        }
    }

    internal static void RequireValidSchema(string schema)
    {
        if (!IsValidSchema(schema))
        {
            throw new ArgumentException($"Schema '{schema}' is not a lowercase identifier matching {SchemaPattern}.", nameof(schema));
        }
    }

    private static async Task<int> ReadVersionAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string schema, CancellationToken cancellationToken) =>
        await connection.ExecuteScalarAsync<int?>(new CommandDefinition(
            $"SELECT version FROM {schema}.schema_version WHERE component = 'catalog';", transaction: transaction, cancellationToken: cancellationToken))
             ?? 0;

    private static InvalidOperationException NewerThanBuild(string schema, int version) => new(
        $"The PostgreSQL catalog schema '{schema}' is at version {version}, newer than this build's {CurrentVersion}. Upgrade the service.");

    [GeneratedRegex(SchemaPattern, RegexOptions.CultureInvariant)]
    private static partial Regex SchemaRegex();
}
