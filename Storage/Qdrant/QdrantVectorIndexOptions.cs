using System.ComponentModel.DataAnnotations;

namespace Know2Vec.Storage.Qdrant;

/// <summary>Settings of <see cref="QdrantVectorIndex"/> (section <c>Know2Vec:Qdrant</c>).</summary>
public sealed class QdrantVectorIndexOptions
{
    public const string SectionName = "Know2Vec:Qdrant";

    /// <summary>
    /// Qdrant's gRPC endpoint (port 6334, not the REST port 6333). <c>https://</c> turns TLS on;
    /// a server with a self-signed certificate also needs <see cref="CertificateThumbprint"/>.
    /// </summary>
    [Required]
    [Url]
    public string Url { get; set; } = "http://localhost:6334";

    /// <summary>Qdrant's API key (<c>QDRANT__SERVICE__API_KEY</c> on the server); sent with every call. Use TLS with it outside a private network.</summary>
    public string? ApiKey { get; set; }

    /// <summary>SHA-256 thumbprint (hex) of a self-signed server certificate to trust, for <c>https://</c> URLs.</summary>
    public string? CertificateThumbprint { get; set; }

    /// <summary>
    /// The name every process reads and writes: an alias that points at the current physical
    /// collection (<c>{Collection}-{generation}</c>). Re-encoding builds a new collection and swaps the
    /// alias when it is complete, so searches never see a half-built index.
    /// </summary>
    [Required]
    [RegularExpression("^[a-zA-Z0-9_-]{1,200}$")]
    public string Collection { get; set; } = "know2vec-models";

    /// <summary>Points per upsert request.</summary>
    [Range(1, 10_000)]
    public int UpsertBatchSize { get; set; } = 256;

    /// <summary>Deadline of each gRPC call.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Shards of a new collection (Qdrant distributes them over the cluster's nodes).</summary>
    [Range(1, 1024)]
    public uint ShardNumber { get; set; } = 1;

    /// <summary>Copies of each shard in a cluster.</summary>
    [Range(1, 16)]
    public uint ReplicationFactor { get; set; } = 1;

    /// <summary>Search exactly (full scan) instead of HNSW. Zoo-scale collections are small; HNSW is the default for large ones.</summary>
    public bool ExactSearch { get; set; }
}
