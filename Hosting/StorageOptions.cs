using System.ComponentModel.DataAnnotations;
using Know2Vec.Storage.Postgres;

namespace Know2Vec.Hosting;

/// <summary>Which catalog implementation a process uses.</summary>
public enum CatalogStore
{
    /// <summary>A SQLite file under the data directory (embedded mode).</summary>
    Sqlite,

    /// <summary>PostgreSQL, shared by the Api and every worker (distributed mode).</summary>
    Postgres,
}

/// <summary>Which vector index implementation a process uses.</summary>
public enum VectorStore
{
    /// <summary>Exact scan in memory, persisted in the catalog's SQLite file. One writer process.</summary>
    Embedded,

    /// <summary>A Qdrant collection (distributed mode).</summary>
    Qdrant,
}

/// <summary>Which Hangfire job store a process uses.</summary>
public enum JobStore
{
    /// <summary>Hangfire.Storage.SQLite, a file under the data directory (embedded mode).</summary>
    Sqlite,

    /// <summary>Hangfire.PostgreSql, shared by the Api (which enqueues) and the workers (which run jobs).</summary>
    Postgres,
}

/// <summary>Storage choices (section <c>Know2Vec:Storage</c>). The jobs' store is <see cref="JobOptions.Storage"/>.</summary>
public sealed class StorageOptions
{
    /// <summary>Catalog: Sqlite (default) or Postgres.</summary>
    public CatalogStore Catalog { get; set; } = CatalogStore.Sqlite;

    /// <summary>Vector index: Embedded (default) or Qdrant (settings in <c>Know2Vec:Qdrant</c>).</summary>
    public VectorStore Vectors { get; set; } = VectorStore.Embedded;
}

/// <summary>The PostgreSQL server of distributed mode (section <c>Know2Vec:Postgres</c>).</summary>
public sealed class PostgresOptions
{
    /// <summary>Npgsql connection string, e.g. <c>Host=postgres;Username=know2vec;Password=…;Database=know2vec</c>. Required when any store is Postgres.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>Schema of the catalog's tables.</summary>
    [Required]
    [RegularExpression(PostgresCatalogSchema.SchemaPattern)]
    public string CatalogSchema { get; set; } = PostgresCatalogOptions.DefaultSchema;

    /// <summary>Schema of Hangfire's tables.</summary>
    [Required]
    [RegularExpression(PostgresCatalogSchema.SchemaPattern)]
    public string JobSchema { get; set; } = "hangfire";
}
