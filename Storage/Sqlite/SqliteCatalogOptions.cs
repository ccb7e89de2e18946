using System.ComponentModel.DataAnnotations;

namespace Know2Vec.Storage.Sqlite;

/// <summary>Settings of <see cref="SqliteCatalog"/>.</summary>
public sealed class SqliteCatalogOptions
{
    /// <summary>Path of the SQLite file (created with its directory if missing). May be the same file as the embedded vector index.</summary>
    [Required]
    public string DatabasePath { get; set; } = "";

    /// <summary>
    /// How long an operation waits for another writer (an indexing worker, the API) to release the
    /// file before failing. Default 30 s.
    /// </summary>
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
