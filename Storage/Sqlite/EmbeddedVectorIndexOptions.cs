using System.ComponentModel.DataAnnotations;

namespace Know2Vec.Storage.Sqlite;

/// <summary>Settings of <see cref="EmbeddedVectorIndex"/>.</summary>
public sealed class EmbeddedVectorIndexOptions
{
    /// <summary>Path of the SQLite file that persists the points (may be the catalog's file: the index uses its own table).</summary>
    [Required]
    public string DatabasePath { get; set; } = "";

    /// <summary>How long a write waits for another writer to release the file before failing. Default 30 s.</summary>
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
