using System.Text;
using Dapper;
using Know2Vec.Core.Knowledge;
using Npgsql;

namespace Know2Vec.Storage.Postgres;

/// <summary>
/// The distributed catalog: PostgreSQL, shared by the Api and every indexer worker process. Register
/// as a singleton over one <see cref="NpgsqlDataSource"/> (its pool); each operation takes a pooled
/// connection, so it is thread-safe. The schema must have been migrated by the deploy step
/// (<see cref="PostgresCatalogSchema.MigrateAsync"/>); the first operation checks the version once and
/// refuses to work on another one.
/// </summary>
/// <remarks>
/// Labels and tags are text[] columns (order kept as written; tags GIN-indexed for the tag filter),
/// the manifest's input and metadata are jsonb, knowledge tensors are <see cref="KnowledgeTensor.ToBytes"/>
/// bytea. Ids use the "C" collation, so ORDER BY id is ordinal as the contract says. Deleting a zoo
/// cascades to models and knowledge through foreign keys.
/// </remarks>
public sealed class PostgresCatalog : ICatalog
{
    private const string ModelColumns =
        "m.id, m.zoo_id, m.name, m.file, m.sha256, m.architecture, m.parameters, m.labels, m.tags, " +
        "m.license, m.input::text AS input, m.metadata::text AS metadata, m.status, m.failure_reason, m.updated_at";

    private const string ZooColumns = "id, name, version, description, root_directory, created_at";

    private readonly NpgsqlDataSource _dataSource;
    private readonly string _schema;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _schemaGate = new(1, 1);
    private volatile bool _schemaChecked;

    /// <param name="dataSource">The connection pool (a singleton shared with other PostgreSQL users of the process).</param>
    /// <param name="options">Schema of the catalog's tables.</param>
    /// <param name="timeProvider">Clock for <see cref="ModelRecord.UpdatedAt"/> stamps; the system clock when null.</param>
    public PostgresCatalog(NpgsqlDataSource dataSource, PostgresCatalogOptions? options = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        _dataSource = dataSource;
        _schema = (options ?? new PostgresCatalogOptions()).Schema;
        PostgresCatalogSchema.RequireValidSchema(_schema);
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>The schema the tables live in.</summary>
    public string Schema => _schema;

    /// <inheritdoc/>
    public async Task<bool> TryAddZooAsync(ZooRecord zoo, IReadOnlyList<ModelRecord> models, CancellationToken cancellationToken)
    {
        CatalogValidation.ValidateZoo(zoo, models);

        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

        // DO NOTHING instead of catching a unique violation: an existing id is an expected outcome.
        // A concurrent insert of the same id waits on the primary key until the first commits.
        var inserted = await connection.ExecuteAsync(new CommandDefinition(
            $"""
            INSERT INTO {_schema}.zoos ({ZooColumns}) VALUES (@Id, @Name, @Version, @Description, @RootDirectory, @CreatedAt)
            ON CONFLICT (id) DO NOTHING;
            """,
            new { zoo.Id, zoo.Name, zoo.Version, zoo.Description, zoo.RootDirectory, CreatedAt = zoo.CreatedAt.ToUniversalTime() },
            transaction, cancellationToken: cancellationToken));
        if (inserted == 0)
        {
            return false; // disposing the transaction rolls it back
        }

        if (models.Count > 0)
        {
            // One statement for the whole zoo: unnest of parallel arrays. Labels and tags are text[]
            // per model, which unnest cannot take as a 2-D array, so they go as JSON arrays and are
            // turned back into text[] by the database.
            var rows = models.Select(m => new ModelRow(m)).ToArray();
            await connection.ExecuteAsync(new CommandDefinition(
                $"""
                INSERT INTO {_schema}.models (id, zoo_id, name, file, sha256, architecture, parameters, labels, tags,
                                             license, input, metadata, status, failure_reason, updated_at)
                SELECT r.id, r.zoo_id, r.name, r.file, r.sha256, r.architecture, r.parameters,
                       ARRAY(SELECT jsonb_array_elements_text(r.labels::jsonb)),
                       ARRAY(SELECT jsonb_array_elements_text(r.tags::jsonb)),
                       r.license, r.input::jsonb, r.metadata::jsonb, r.status, r.failure_reason, r.updated_at
                FROM unnest(@Ids, @ZooIds, @Names, @Files, @Shas, @Architectures, @Parameters, @Labels, @Tags,
                            @Licenses, @Inputs, @Metadata, @Statuses, @Reasons, @Updated)
                     AS r (id, zoo_id, name, file, sha256, architecture, parameters, labels, tags,
                           license, input, metadata, status, failure_reason, updated_at);
                """,
                new
                {
                    Ids = rows.Select(r => r.Model.Id).ToArray(),
                    ZooIds = rows.Select(r => r.Model.ZooId).ToArray(),
                    Names = rows.Select(r => r.Model.Name).ToArray(),
                    Files = rows.Select(r => r.Model.File).ToArray(),
                    Shas = rows.Select(r => r.Model.Sha256).ToArray(),
                    Architectures = rows.Select(r => r.Model.Architecture).ToArray(),
                    Parameters = rows.Select(r => r.Model.Parameters).ToArray(),
                    Labels = rows.Select(r => r.LabelsJson).ToArray(),
                    Tags = rows.Select(r => r.TagsJson).ToArray(),
                    Licenses = rows.Select(r => r.Model.License).ToArray(),
                    Inputs = rows.Select(r => r.Model.InputJson).ToArray(),
                    Metadata = rows.Select(r => r.Model.MetadataJson).ToArray(),
                    Statuses = rows.Select(r => r.Model.Status.ToString()).ToArray(),
                    Reasons = rows.Select(r => r.Model.FailureReason).ToArray(),
                    Updated = rows.Select(r => r.Model.UpdatedAt.ToUniversalTime()).ToArray(),
                },
                transaction, cancellationToken: cancellationToken));
        }

        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    /// <inheritdoc/>
    public async Task<ZooRecord?> GetZooAsync(string zooId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(zooId);
        await using var connection = await OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<ZooRow>(new CommandDefinition(
            $"SELECT {ZooColumns} FROM {_schema}.zoos WHERE id = @zooId;", new { zooId }, cancellationToken: cancellationToken))
            ;
        return row?.ToRecord();
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<ZooRecord>> ListZoosAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<ZooRow>(new CommandDefinition(
            $"SELECT {ZooColumns} FROM {_schema}.zoos ORDER BY id;", cancellationToken: cancellationToken));
        return rows.Select(r => r.ToRecord()).ToArray();
    }

    /// <inheritdoc/>
    public async Task<ZooStatusCounts?> GetZooStatusAsync(string zooId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(zooId);
        await using var connection = await OpenAsync(cancellationToken);
        // One statement, so the existence check and the counts come from the same snapshot.
        var row = await connection.QuerySingleOrDefaultAsync<CountsRow>(new CommandDefinition(
            $"""
            SELECT COUNT(m.id)::int AS total,
                   COUNT(*) FILTER (WHERE m.status = 'Pending')::int AS pending,
                   COUNT(*) FILTER (WHERE m.status = 'Indexing')::int AS indexing,
                   COUNT(*) FILTER (WHERE m.status = 'Indexed')::int AS indexed,
                   COUNT(*) FILTER (WHERE m.status = 'Failed')::int AS failed
            FROM {_schema}.zoos z LEFT JOIN {_schema}.models m ON m.zoo_id = z.id
            WHERE z.id = @zooId
            GROUP BY z.id;
            """, new { zooId }, cancellationToken: cancellationToken));
        return row is null ? null : new ZooStatusCounts(row.total, row.pending, row.indexing, row.indexed, row.failed);
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<ZooWithStatus>> ListZoosWithStatusAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<ZooCountsRow>(new CommandDefinition(
            $"""
            SELECT z.id, z.name, z.version, z.description, z.root_directory, z.created_at,
                   COUNT(m.id)::int AS total,
                   COUNT(*) FILTER (WHERE m.status = 'Pending')::int AS pending,
                   COUNT(*) FILTER (WHERE m.status = 'Indexing')::int AS indexing,
                   COUNT(*) FILTER (WHERE m.status = 'Indexed')::int AS indexed,
                   COUNT(*) FILTER (WHERE m.status = 'Failed')::int AS failed
            FROM {_schema}.zoos z LEFT JOIN {_schema}.models m ON m.zoo_id = z.id
            GROUP BY z.id
            ORDER BY z.id;
            """, cancellationToken: cancellationToken));
        return rows.Select(r => new ZooWithStatus(
            new ZooRow(r.id, r.name, r.version, r.description, r.root_directory, r.created_at).ToRecord(),
            new ZooStatusCounts(r.total, r.pending, r.indexing, r.indexed, r.failed))).ToArray();
    }

    /// <inheritdoc/>
    public async Task<bool> DeleteZooAsync(string zooId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(zooId);
        await using var connection = await OpenAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition(
            $"DELETE FROM {_schema}.zoos WHERE id = @zooId;", new { zooId }, cancellationToken: cancellationToken)) > 0;
    }

    /// <inheritdoc/>
    public async Task<ModelRecord?> GetModelAsync(string modelId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(modelId);
        await using var connection = await OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<ModelReadRow>(new CommandDefinition(
            $"SELECT {ModelColumns} FROM {_schema}.models m WHERE m.id = @modelId;", new { modelId }, cancellationToken: cancellationToken))
            ;
        return row?.ToRecord();
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<ModelRecord>> GetModelsAsync(IReadOnlyCollection<string> modelIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(modelIds);
        if (modelIds.Count == 0)
        {
            return [];
        }
        await using var connection = await OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<ModelReadRow>(new CommandDefinition(
            $"SELECT {ModelColumns} FROM {_schema}.models m WHERE m.id = ANY(@ids) ORDER BY m.id;", new { ids = modelIds.ToArray() },
            cancellationToken: cancellationToken));
        return rows.Select(r => r.ToRecord()).ToArray();
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<ModelRecord>> ListModelsAsync(ModelFilter filter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var sql = new StringBuilder($"SELECT {ModelColumns} FROM {_schema}.models m WHERE TRUE");
        var parameters = new DynamicParameters();
        // The columns use the "C" collation: '=' is byte equality, ordinal and case-sensitive as ModelFilter specifies.
        if (filter.ZooId is not null)
        {
            sql.Append(" AND m.zoo_id = @zoo");
            parameters.Add("zoo", filter.ZooId);
        }
        if (filter.Architecture is not null)
        {
            sql.Append(" AND m.architecture = @arch");
            parameters.Add("arch", filter.Architecture);
        }
        if (filter.MaxParameters is { } max)
        {
            sql.Append(" AND m.parameters <= @max");
            parameters.Add("max", max);
        }
        if (filter.Tag is not null)
        {
            // Array containment: answered by the GIN index on tags.
            sql.Append(" AND m.tags @> ARRAY[@tag]::text[]");
            parameters.Add("tag", filter.Tag);
        }
        sql.Append(" ORDER BY m.id;");

        await using var connection = await OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<ModelReadRow>(new CommandDefinition(sql.ToString(), parameters, cancellationToken: cancellationToken))
            ;
        return rows.Select(r => r.ToRecord()).ToArray();
    }

    /// <inheritdoc/>
    public async Task<bool> SetModelStatusAsync(string modelId, ModelStatus status, string? failureReason, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(modelId);
        CatalogValidation.ValidateStatus(status, failureReason);
        await using var connection = await OpenAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition(
            $"UPDATE {_schema}.models SET status = @status, failure_reason = @failureReason, updated_at = @updated WHERE id = @modelId;",
            new { status = status.ToString(), failureReason, updated = _time.GetUtcNow(), modelId },
            cancellationToken: cancellationToken)) > 0;
    }

    /// <inheritdoc/>
    public async Task<bool> SaveKnowledgeAsync(string modelId, KnowledgeTensor knowledge, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(modelId);
        ArgumentNullException.ThrowIfNull(knowledge);
        await using var connection = await OpenAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition(
            CatalogSql.UpsertKnowledge($"{_schema}.", '@'),
            new
            {
                modelId,
                version = knowledge.ProbePoolVersion,
                classes = knowledge.Classes,
                dimension = knowledge.Dimension,
                data = knowledge.ToBytes(),
                updated = _time.GetUtcNow(),
            },
            cancellationToken: cancellationToken)) > 0;
    }

    /// <inheritdoc/>
    public async Task<KnowledgeTensor?> GetKnowledgeAsync(string modelId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(modelId);
        await using var connection = await OpenAsync(cancellationToken);
        var data = await connection.QuerySingleOrDefaultAsync<byte[]>(new CommandDefinition(
            $"SELECT data FROM {_schema}.knowledge WHERE model_id = @modelId;", new { modelId }, cancellationToken: cancellationToken))
            ;
        return data is null ? null : KnowledgeTensor.FromBytes(data);
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyDictionary<string, KnowledgeTensor>> GetKnowledgeAsync(IReadOnlyCollection<string> modelIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(modelIds);
        if (modelIds.Count == 0)
        {
            return new Dictionary<string, KnowledgeTensor>(StringComparer.Ordinal);
        }
        await using var connection = await OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<KnowledgeRow>(new CommandDefinition(
            $"SELECT model_id, data FROM {_schema}.knowledge WHERE model_id = ANY(@ids);", new { ids = modelIds.ToArray() },
            cancellationToken: cancellationToken));
        return rows.ToDictionary(r => r.model_id, r => KnowledgeTensor.FromBytes(r.data), StringComparer.Ordinal);
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<string>> ListModelIdsAsync(ModelStatus? status, CancellationToken cancellationToken)
    {
        if (status is { } s && !Enum.IsDefined(s))
        {
            throw new ArgumentException($"Unknown model status {(int)s}.", nameof(status));
        }
        await using var connection = await OpenAsync(cancellationToken);
        var ids = status is null
            ? await connection.QueryAsync<string>(new CommandDefinition(
                $"SELECT id FROM {_schema}.models ORDER BY id;", cancellationToken: cancellationToken))
            : await connection.QueryAsync<string>(new CommandDefinition(
                $"SELECT id FROM {_schema}.models WHERE status = @status ORDER BY id;", new { status = status.Value.ToString() },
                cancellationToken: cancellationToken));
        return ids.ToArray();
    }

    /// <summary>A pooled connection on a database whose schema version this build has checked.</summary>
    private async Task<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (!_schemaChecked)
        {
            await _schemaGate.WaitAsync(cancellationToken);
            try
            {
                if (!_schemaChecked)
                {
                    await PostgresCatalogSchema.RequireCurrentAsync(_dataSource, _schema, cancellationToken);
                    _schemaChecked = true;
                }
            }
            finally
            {
                _schemaGate.Release();
            }
        }
        return await _dataSource.OpenConnectionAsync(cancellationToken);
    }

    private static string[] ReadStrings(string[]? values) =>
        values ?? throw new InvalidDataException("A stored string list is NULL.");

    // ---- rows (Dapper maps columns by name; lowercase names match the SQL columns) ----------------

    private sealed class ModelRow(ModelRecord model)
    {
        public ModelRecord Model { get; } = model;

        public string LabelsJson { get; } = System.Text.Json.JsonSerializer.Serialize(model.Labels);

        public string TagsJson { get; } = System.Text.Json.JsonSerializer.Serialize(model.Tags);
    }

#pragma warning disable IDE1006, CA1812 // Dapper row types: names are the columns; instantiated by Dapper
    private sealed record ZooRow(string id, string name, string version, string? description, string root_directory, DateTime created_at)
    {
        public ZooRecord ToRecord() => new(id, name, version, description, root_directory, new DateTimeOffset(DateTime.SpecifyKind(created_at, DateTimeKind.Utc)));
    }

    private sealed record CountsRow(int total, int pending, int indexing, int indexed, int failed);

    private sealed record ZooCountsRow(
        string id, string name, string version, string? description, string root_directory, DateTime created_at,
        int total, int pending, int indexing, int indexed, int failed);

    private sealed record KnowledgeRow(string model_id, byte[] data);

    private sealed class ModelReadRow
    {
        public string id { get; set; } = "";
        public string zoo_id { get; set; } = "";
        public string name { get; set; } = "";
        public string file { get; set; } = "";
        public string sha256 { get; set; } = "";
        public string architecture { get; set; } = "";
        public long parameters { get; set; }
        public string[]? labels { get; set; }
        public string[]? tags { get; set; }
        public string license { get; set; } = "";
        public string input { get; set; } = "";
        public string? metadata { get; set; }
        public string status { get; set; } = "";
        public string? failure_reason { get; set; }
        public DateTime updated_at { get; set; }

        public ModelRecord ToRecord() => new()
        {
            Id = id,
            ZooId = zoo_id,
            Name = name,
            File = file,
            Sha256 = sha256,
            Architecture = architecture,
            Parameters = parameters,
            Labels = ReadStrings(labels),
            Tags = ReadStrings(tags),
            License = license,
            InputJson = input,
            MetadataJson = metadata,
            Status = Enum.Parse<ModelStatus>(status),
            FailureReason = failure_reason,
            UpdatedAt = new DateTimeOffset(DateTime.SpecifyKind(updated_at, DateTimeKind.Utc)),
        };
    }
#pragma warning restore IDE1006, CA1812
}
