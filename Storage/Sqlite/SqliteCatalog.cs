using System.Text;
using System.Text.Json;
using Know2Vec.Core.Knowledge;
using Microsoft.Data.Sqlite;

namespace Know2Vec.Storage.Sqlite;

/// <summary>
/// The embedded catalog: one SQLite file, shared by the API and the in-process Hangfire workers
/// (and safe for several processes on one machine: WAL, busy timeout, IMMEDIATE write transactions).
/// Register as a singleton; each operation opens its own pooled connection, so it is thread-safe.
/// </summary>
/// <remarks>
/// Tags live twice: as JSON on the model row (the record's order, read back as written) and one
/// row per distinct tag in model_tags (indexed, for the tag filter). Knowledge tensors are stored
/// as <see cref="KnowledgeTensor.ToBytes"/> BLOBs. Deleting a zoo cascades to models, tags and
/// knowledge through foreign keys.
/// </remarks>
public sealed class SqliteCatalog : ICatalog, IDisposable
{
    internal const string Component = "catalog";

    // Script i moves the schema from version i to i + 1; never edit a shipped script, append one.
    internal static readonly IReadOnlyList<string> Migrations =
    [
        """
        CREATE TABLE IF NOT EXISTS zoos (
            id             TEXT PRIMARY KEY NOT NULL,
            name           TEXT NOT NULL,
            version        TEXT NOT NULL,
            description    TEXT,
            root_directory TEXT NOT NULL,
            created_at     TEXT NOT NULL
        );
        CREATE TABLE IF NOT EXISTS models (
            id             TEXT PRIMARY KEY NOT NULL,
            zoo_id         TEXT NOT NULL REFERENCES zoos (id) ON DELETE CASCADE,
            name           TEXT NOT NULL,
            file           TEXT NOT NULL,
            sha256         TEXT NOT NULL,
            architecture   TEXT NOT NULL,
            parameters     INTEGER NOT NULL,
            labels_json    TEXT NOT NULL,
            tags_json      TEXT NOT NULL,
            license        TEXT NOT NULL,
            input_json     TEXT NOT NULL,
            metadata_json  TEXT,
            status         TEXT NOT NULL CHECK (status IN ('Pending', 'Indexing', 'Indexed', 'Failed')),
            failure_reason TEXT,
            updated_at     TEXT NOT NULL,
            UNIQUE (zoo_id, name)
        );
        CREATE INDEX IF NOT EXISTS ix_models_status ON models (status);
        CREATE INDEX IF NOT EXISTS ix_models_architecture ON models (architecture);
        CREATE TABLE IF NOT EXISTS model_tags (
            model_id TEXT NOT NULL REFERENCES models (id) ON DELETE CASCADE,
            tag      TEXT NOT NULL,
            PRIMARY KEY (model_id, tag)
        ) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS ix_model_tags_tag ON model_tags (tag, model_id);
        CREATE TABLE IF NOT EXISTS knowledge (
            model_id           TEXT PRIMARY KEY NOT NULL REFERENCES models (id) ON DELETE CASCADE,
            probe_pool_version TEXT NOT NULL,
            classes            INTEGER NOT NULL,
            dimension          INTEGER NOT NULL,
            data               BLOB NOT NULL,
            updated_at         TEXT NOT NULL
        );
        """,
    ];

    private const string ModelColumns =
        "m.id, m.zoo_id, m.name, m.file, m.sha256, m.architecture, m.parameters, m.labels_json, m.tags_json, " +
        "m.license, m.input_json, m.metadata_json, m.status, m.failure_reason, m.updated_at";

    private const string ZooColumns = "id, name, version, description, root_directory, created_at";

    private static string ZooColumnsOf(string alias) => string.Join(", ", ZooColumns.Split(", ").Select(c => $"{alias}.{c}"));

    private readonly SqliteDatabase _database;
    private readonly TimeProvider _time;

    /// <summary>A catalog on the SQLite file at <paramref name="databasePath"/>, with default settings.</summary>
    public SqliteCatalog(string databasePath)
        : this(new SqliteStorageOptions { DatabasePath = databasePath })
    {
    }

    /// <summary>A catalog with explicit settings.</summary>
    /// <param name="options">File path and busy timeout.</param>
    /// <param name="timeProvider">Clock for <see cref="ModelRecord.UpdatedAt"/> stamps; the system clock when null.</param>
    public SqliteCatalog(SqliteStorageOptions options, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _database = new SqliteDatabase(options.DatabasePath, options.BusyTimeout, Component, Migrations);
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Full path of the database file.</summary>
    public string DatabasePath => _database.Path;

    /// <inheritdoc/>
    public async Task<bool> TryAddZooAsync(ZooRecord zoo, IReadOnlyList<ModelRecord> models, CancellationToken cancellationToken)
    {
        CatalogValidation.ValidateZoo(zoo, models);

        await using var connection = await _database.OpenAsync(cancellationToken);
        await using var transaction = SqliteDatabase.BeginImmediate(connection);

        await using (var insertZoo = connection.CreateCommand())
        {
            insertZoo.Transaction = transaction;
            // DO NOTHING + changes() instead of catching a constraint error: an existing id is an
            // expected outcome, not an exception.
            insertZoo.CommandText = $"""
                INSERT INTO zoos ({ZooColumns}) VALUES ($id, $name, $version, $description, $root, $created)
                ON CONFLICT (id) DO NOTHING;
                """;
            insertZoo.Parameters.AddWithValue("$id", zoo.Id);
            insertZoo.Parameters.AddWithValue("$name", zoo.Name);
            insertZoo.Parameters.AddWithValue("$version", zoo.Version);
            insertZoo.Parameters.AddWithValue("$description", (object?)zoo.Description ?? DBNull.Value);
            insertZoo.Parameters.AddWithValue("$root", zoo.RootDirectory);
            insertZoo.Parameters.AddWithValue("$created", SqliteDatabase.FormatTime(zoo.CreatedAt));
            if (await insertZoo.ExecuteNonQueryAsync(cancellationToken) == 0)
            {
                return false; // disposing the transaction rolls it back
            }
        }

        await using var insertModel = connection.CreateCommand();
        insertModel.Transaction = transaction;
        insertModel.CommandText = """
            INSERT INTO models (id, zoo_id, name, file, sha256, architecture, parameters, labels_json, tags_json,
                                license, input_json, metadata_json, status, failure_reason, updated_at)
            VALUES ($id, $zoo, $name, $file, $sha, $arch, $params, $labels, $tags,
                    $license, $input, $metadata, $status, $reason, $updated);
            """;
        var p = insertModel.Parameters;
        var id = p.Add("$id", SqliteType.Text);
        var zooId = p.Add("$zoo", SqliteType.Text);
        var name = p.Add("$name", SqliteType.Text);
        var file = p.Add("$file", SqliteType.Text);
        var sha = p.Add("$sha", SqliteType.Text);
        var arch = p.Add("$arch", SqliteType.Text);
        var parameters = p.Add("$params", SqliteType.Integer);
        var labels = p.Add("$labels", SqliteType.Text);
        var tags = p.Add("$tags", SqliteType.Text);
        var license = p.Add("$license", SqliteType.Text);
        var input = p.Add("$input", SqliteType.Text);
        var metadata = p.Add("$metadata", SqliteType.Text);
        var status = p.Add("$status", SqliteType.Text);
        var reason = p.Add("$reason", SqliteType.Text);
        var updated = p.Add("$updated", SqliteType.Text);

        await using var insertTag = connection.CreateCommand();
        insertTag.Transaction = transaction;
        // OR IGNORE: a tag listed twice on one model is one filter match, not an error.
        insertTag.CommandText = "INSERT OR IGNORE INTO model_tags (model_id, tag) VALUES ($model, $tag);";
        var tagModel = insertTag.Parameters.Add("$model", SqliteType.Text);
        var tagValue = insertTag.Parameters.Add("$tag", SqliteType.Text);

        foreach (var model in models)
        {
            id.Value = model.Id;
            zooId.Value = model.ZooId;
            name.Value = model.Name;
            file.Value = model.File;
            sha.Value = model.Sha256;
            arch.Value = model.Architecture;
            parameters.Value = model.Parameters;
            labels.Value = JsonSerializer.Serialize(model.Labels);
            tags.Value = JsonSerializer.Serialize(model.Tags);
            license.Value = model.License;
            input.Value = model.InputJson;
            metadata.Value = (object?)model.MetadataJson ?? DBNull.Value;
            status.Value = model.Status.ToString();
            reason.Value = (object?)model.FailureReason ?? DBNull.Value;
            updated.Value = SqliteDatabase.FormatTime(model.UpdatedAt);
            await insertModel.ExecuteNonQueryAsync(cancellationToken);

            tagModel.Value = model.Id;
            foreach (var tag in model.Tags)
            {
                tagValue.Value = tag;
                await insertTag.ExecuteNonQueryAsync(cancellationToken);
            }
        }

        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    /// <inheritdoc/>
    public async Task<ZooRecord?> GetZooAsync(string zooId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(zooId);
        return await ReadByIdAsync($"SELECT {ZooColumns} FROM zoos WHERE id = $id;", zooId, ReadZoo, cancellationToken);
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<ZooRecord>> ListZoosAsync(CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {ZooColumns} FROM zoos ORDER BY id;";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var zoos = new List<ZooRecord>();
        while (await reader.ReadAsync(cancellationToken))
        {
            zoos.Add(ReadZoo(reader));
        }
        return zoos;
    }

    /// <inheritdoc/>
    public async Task<ZooStatusCounts?> GetZooStatusAsync(string zooId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(zooId);
        await using var connection = await _database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        // One statement, so the existence check and the counts come from the same snapshot.
        command.CommandText = """
            SELECT COUNT(m.id),
                   COALESCE(SUM(m.status = 'Pending'), 0),
                   COALESCE(SUM(m.status = 'Indexing'), 0),
                   COALESCE(SUM(m.status = 'Indexed'), 0),
                   COALESCE(SUM(m.status = 'Failed'), 0)
            FROM zoos z LEFT JOIN models m ON m.zoo_id = z.id
            WHERE z.id = $id
            GROUP BY z.id;
            """;
        command.Parameters.AddWithValue("$id", zooId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }
        return new ZooStatusCounts(reader.GetInt32(0), reader.GetInt32(1), reader.GetInt32(2), reader.GetInt32(3), reader.GetInt32(4));
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<ZooWithStatus>> ListZoosWithStatusAsync(CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"""
            SELECT {ZooColumnsOf("z")},
                   COUNT(m.id),
                   COALESCE(SUM(m.status = 'Pending'), 0),
                   COALESCE(SUM(m.status = 'Indexing'), 0),
                   COALESCE(SUM(m.status = 'Indexed'), 0),
                   COALESCE(SUM(m.status = 'Failed'), 0)
            FROM zoos z LEFT JOIN models m ON m.zoo_id = z.id
            GROUP BY z.id
            ORDER BY z.id;
            """;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var zoos = new List<ZooWithStatus>();
        while (await reader.ReadAsync(cancellationToken))
        {
            zoos.Add(new ZooWithStatus(ReadZoo(reader), new ZooStatusCounts(
                reader.GetInt32(6), reader.GetInt32(7), reader.GetInt32(8), reader.GetInt32(9), reader.GetInt32(10))));
        }
        return zoos;
    }

    /// <inheritdoc/>
    public async Task<bool> DeleteZooAsync(string zooId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(zooId);
        await using var connection = await _database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM zoos WHERE id = $id;";
        command.Parameters.AddWithValue("$id", zooId);
        return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
    }

    /// <inheritdoc/>
    public async Task<ModelRecord?> GetModelAsync(string modelId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(modelId);
        return await ReadByIdAsync($"SELECT {ModelColumns} FROM models m WHERE m.id = $id;", modelId, ReadModel, cancellationToken);
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<ModelRecord>> GetModelsAsync(IReadOnlyCollection<string> modelIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(modelIds);
        if (modelIds.Count == 0)
        {
            return [];
        }
        await using var connection = await _database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        // The ids travel as one JSON array parameter: no statement text per id, no parameter-count limit.
        command.CommandText = $"SELECT {ModelColumns} FROM models m WHERE m.id IN (SELECT value FROM json_each($ids)) ORDER BY m.id;";
        command.Parameters.AddWithValue("$ids", JsonSerializer.Serialize(modelIds));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var models = new List<ModelRecord>(modelIds.Count);
        while (await reader.ReadAsync(cancellationToken))
        {
            models.Add(ReadModel(reader));
        }
        return models;
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<ModelRecord>> ListModelsAsync(ModelFilter filter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        await using var connection = await _database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        var sql = new StringBuilder($"SELECT {ModelColumns} FROM models m WHERE 1 = 1");
        // '=' on TEXT uses SQLite's BINARY collation: ordinal and case-sensitive, as ModelFilter specifies.
        if (filter.ZooId is not null)
        {
            sql.Append(" AND m.zoo_id = $zoo");
            command.Parameters.AddWithValue("$zoo", filter.ZooId);
        }
        if (filter.Architecture is not null)
        {
            sql.Append(" AND m.architecture = $arch");
            command.Parameters.AddWithValue("$arch", filter.Architecture);
        }
        if (filter.MaxParameters is { } max)
        {
            sql.Append(" AND m.parameters <= $max");
            command.Parameters.AddWithValue("$max", max);
        }
        if (filter.Tag is not null)
        {
            sql.Append(" AND EXISTS (SELECT 1 FROM model_tags t WHERE t.model_id = m.id AND t.tag = $tag)");
            command.Parameters.AddWithValue("$tag", filter.Tag);
        }
        sql.Append(" ORDER BY m.id;");
        command.CommandText = sql.ToString();

        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var models = new List<ModelRecord>();
        while (await reader.ReadAsync(cancellationToken))
        {
            models.Add(ReadModel(reader));
        }
        return models;
    }

    /// <inheritdoc/>
    public async Task<bool> SetModelStatusAsync(string modelId, ModelStatus status, string? failureReason, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(modelId);
        CatalogValidation.ValidateStatus(status, failureReason);
        await using var connection = await _database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "UPDATE models SET status = $status, failure_reason = $reason, updated_at = $updated WHERE id = $id;";
        command.Parameters.AddWithValue("$status", status.ToString());
        command.Parameters.AddWithValue("$reason", (object?)failureReason ?? DBNull.Value);
        command.Parameters.AddWithValue("$updated", SqliteDatabase.FormatTime(_time.GetUtcNow()));
        command.Parameters.AddWithValue("$id", modelId);
        return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
    }

    /// <inheritdoc/>
    public async Task<bool> SaveKnowledgeAsync(string modelId, KnowledgeTensor knowledge, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(modelId);
        ArgumentNullException.ThrowIfNull(knowledge);
        var bytes = knowledge.ToBytes();
        await using var connection = await _database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = CatalogSql.UpsertKnowledge("", '$');
        command.Parameters.AddWithValue("$modelId", modelId);
        command.Parameters.AddWithValue("$version", knowledge.ProbePoolVersion);
        command.Parameters.AddWithValue("$classes", knowledge.Classes);
        command.Parameters.AddWithValue("$dimension", knowledge.Dimension);
        command.Parameters.Add("$data", SqliteType.Blob).Value = bytes;
        command.Parameters.AddWithValue("$updated", SqliteDatabase.FormatTime(_time.GetUtcNow()));
        return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
    }

    /// <inheritdoc/>
    public async Task<KnowledgeTensor?> GetKnowledgeAsync(string modelId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(modelId);
        await using var connection = await _database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT data FROM knowledge WHERE model_id = $id;";
        command.Parameters.AddWithValue("$id", modelId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }
        return KnowledgeTensor.FromBytes(reader.GetFieldValue<byte[]>(0));
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyDictionary<string, KnowledgeTensor>> GetKnowledgeAsync(IReadOnlyCollection<string> modelIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(modelIds);
        var found = new Dictionary<string, KnowledgeTensor>(StringComparer.Ordinal);
        if (modelIds.Count == 0)
        {
            return found;
        }
        await using var connection = await _database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT model_id, data FROM knowledge WHERE model_id IN (SELECT value FROM json_each($ids));";
        command.Parameters.AddWithValue("$ids", JsonSerializer.Serialize(modelIds));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            found[reader.GetString(0)] = KnowledgeTensor.FromBytes(reader.GetFieldValue<byte[]>(1));
        }
        return found;
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<string>> ListModelIdsAsync(ModelStatus? status, CancellationToken cancellationToken)
    {
        if (status is { } s && !Enum.IsDefined(s))
        {
            throw new ArgumentException($"Unknown model status {(int)s}.", nameof(status));
        }
        await using var connection = await _database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        if (status is null)
        {
            command.CommandText = "SELECT id FROM models ORDER BY id;";
        }
        else
        {
            command.CommandText = "SELECT id FROM models WHERE status = $status ORDER BY id;";
            command.Parameters.AddWithValue("$status", status.Value.ToString());
        }
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var ids = new List<string>();
        while (await reader.ReadAsync(cancellationToken))
        {
            ids.Add(reader.GetString(0));
        }
        return ids;
    }

    /// <summary>The one row <paramref name="sql"/> selects for <c>$id</c>, or null.</summary>
    private async Task<T?> ReadByIdAsync<T>(string sql, string id, Func<SqliteDataReader, T> read, CancellationToken cancellationToken)
        where T : class
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Parameters.AddWithValue("$id", id);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? read(reader) : null;
    }

    /// <summary>Closes the pooled connections to the file.</summary>
    public void Dispose() => _database.Dispose();

    private static ZooRecord ReadZoo(SqliteDataReader reader) => new(
        Id: reader.GetString(0),
        Name: reader.GetString(1),
        Version: reader.GetString(2),
        Description: reader.IsDBNull(3) ? null : reader.GetString(3),
        RootDirectory: reader.GetString(4),
        CreatedAt: SqliteDatabase.ParseTime(reader.GetString(5)));

    private static ModelRecord ReadModel(SqliteDataReader reader) => new()
    {
        Id = reader.GetString(0),
        ZooId = reader.GetString(1),
        Name = reader.GetString(2),
        File = reader.GetString(3),
        Sha256 = reader.GetString(4),
        Architecture = reader.GetString(5),
        Parameters = reader.GetInt64(6),
        Labels = ReadStrings(reader.GetString(7)),
        Tags = ReadStrings(reader.GetString(8)),
        License = reader.GetString(9),
        InputJson = reader.GetString(10),
        MetadataJson = reader.IsDBNull(11) ? null : reader.GetString(11),
        Status = Enum.Parse<ModelStatus>(reader.GetString(12)),
        FailureReason = reader.IsDBNull(13) ? null : reader.GetString(13),
        UpdatedAt = SqliteDatabase.ParseTime(reader.GetString(14)),
    };

    private static string[] ReadStrings(string json) =>
        JsonSerializer.Deserialize<string[]>(json) ?? throw new InvalidDataException("A stored string list is JSON null.");
}
