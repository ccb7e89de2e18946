using System.ComponentModel.DataAnnotations;

namespace Know2Vec.Core.Querying;

/// <summary>How queries are answered (section Know2Vec:Query).</summary>
public sealed class QueryOptions
{
    public const string SectionName = "Know2Vec:Query";

    /// <summary>Largest topK a caller may ask for.</summary>
    [Range(1, 1000)]
    public int MaxTopK { get; set; } = 100;

    /// <summary>
    /// Models recalled by the one-vector search and re-scored by matching class vectors (the
    /// second stage decides the order; on the benchmark class-set matching ranks much better than
    /// one mean vector). Larger = better recall, more knowledge tensors read per query.
    /// </summary>
    [Range(1, 10000)]
    public int Candidates { get; set; } = 200;

    /// <summary>
    /// Models whose class vectors (derived from their knowledge tensor: a tower run for a trained
    /// alignment) are kept in memory between queries. A query whose candidates are all cached reads no
    /// knowledge; the least recently used entries go when the cache is full. Each entry holds a model's
    /// classes × the alignment's dimension floats (10 classes × 512: 20 KB), so 20,000 is about 400 MB at most.
    /// </summary>
    [Range(1, 10_000_000)]
    public int ClassVectorCacheSize { get; set; } = 20_000;

    /// <summary>Upper bound on pseudo-classes found in an unlabelled query.</summary>
    [Range(2, 50)]
    public int MaxPseudoClasses { get; set; } = 10;
}
