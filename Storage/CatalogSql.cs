namespace Know2Vec.Storage;

/// <summary>SQL both catalogs share word for word: SQLite and PostgreSQL agree on these statements.</summary>
internal static class CatalogSql
{
    /// <summary>
    /// Stores a model's knowledge, overwriting an older one. INSERT ... SELECT FROM models: a missing
    /// model inserts nothing (false) instead of failing the foreign key, e.g. when the zoo was deleted
    /// while the probe job ran. <paramref name="schema"/> prefixes the tables ("" or "name.");
    /// <paramref name="p"/> is the dialect's parameter marker ('$' or '@').
    /// </summary>
    public static string UpsertKnowledge(string schema, char p) => $"""
        INSERT INTO {schema}knowledge (model_id, probe_pool_version, classes, dimension, data, updated_at)
        SELECT m.id, {p}version, {p}classes, {p}dimension, {p}data, {p}updated FROM {schema}models m WHERE m.id = {p}modelId
        ON CONFLICT (model_id) DO UPDATE SET
            probe_pool_version = excluded.probe_pool_version,
            classes = excluded.classes,
            dimension = excluded.dimension,
            data = excluded.data,
            updated_at = excluded.updated_at;
        """;
}
