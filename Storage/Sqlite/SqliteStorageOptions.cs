using System.ComponentModel.DataAnnotations;

namespace Know2Vec.Storage.Sqlite;

/// <summary>Settings of the embedded stores, <see cref="SqliteCatalog"/> and <see cref="EmbeddedVectorIndex"/> (both may use one file: their tables do not clash).</summary>
public sealed class SqliteStorageOptions
{
    /// <summary>Path of the SQLite file (created with its directory if missing).</summary>
    [Required]
    public string DatabasePath { get; set; } = "";

    /// <summary>
    /// How long an operation waits for another writer (an indexing worker, the API) to release the
    /// file before failing. Default 30 s.
    /// </summary>
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
