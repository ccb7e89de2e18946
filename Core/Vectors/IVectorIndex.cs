using Know2Vec.Core.Catalog;

namespace Know2Vec.Core.Vectors;

/// <summary>
/// The vector index of model embeddings: cosine search with payload filters. Implementations:
/// <c>Know2Vec.Storage.Sqlite.EmbeddedVectorIndex</c> (exact scan, persisted in SQLite) and
/// <c>Know2Vec.Storage.Qdrant.QdrantVectorIndex</c>. All are thread-safe and pass the same storage contract suite.
/// </summary>
/// <remarks>
/// All points of an index share one dimension; a point or query of another dimension is refused
/// with an <see cref="ArgumentException"/>. Vectors are stored L2-normalised, so scores are cosine
/// similarities whatever the input norms. The index does not know the catalog: deleting a zoo
/// there does not delete its points here.
/// </remarks>
public interface IVectorIndex
{
    /// <summary>
    /// Inserts or overwrites points by <see cref="VectorPoint.ModelId"/> (re-running a job stores the
    /// same point again). Within one batch, a later point with the same id wins. The batch is
    /// validated as a whole before anything is written.
    /// </summary>
    /// <exception cref="ArgumentException">A point is invalid: empty id, missing payload, a zero or non-finite vector, or a dimension that differs from the batch's or the index's.</exception>
    Task UpsertAsync(IReadOnlyList<VectorPoint> points, CancellationToken cancellationToken);

    /// <summary>
    /// The <paramref name="topK"/> points that pass <paramref name="filter"/> with the highest cosine
    /// similarity to <paramref name="query"/>, best first; equal scores are ordered by model id
    /// (ordinal) so results are deterministic. The filter is applied before ranking, so up to
    /// <paramref name="topK"/> matching points are returned however rare they are.
    /// </summary>
    /// <param name="query">The query vector (any non-zero norm).</param>
    /// <param name="topK">Maximum number of hits, at least 1.</param>
    /// <param name="filter">Which points may be returned; <see cref="ModelFilter.None"/> for all.</param>
    /// <param name="cancellationToken">Cancels the search.</param>
    /// <exception cref="ArgumentException">The query is zero, not finite, or of another dimension than the stored points.</exception>
    Task<IReadOnlyList<VectorHit>> SearchAsync(float[] query, int topK, ModelFilter filter, CancellationToken cancellationToken);

    /// <summary>Deletes the points with these model ids; ids that are not stored are ignored.</summary>
    Task DeleteAsync(IReadOnlyList<string> modelIds, CancellationToken cancellationToken);

    /// <summary>Deletes every point whose payload has this zoo id.</summary>
    Task DeleteZooAsync(string zooId, CancellationToken cancellationToken);

    /// <summary>Number of stored points.</summary>
    Task<long> CountAsync(CancellationToken cancellationToken);

    /// <summary>
    /// The stored point of a model (its vector as stored, i.e. L2-normalised), or null — e.g. to
    /// check which alignment version produced it.
    /// </summary>
    Task<VectorPoint?> GetAsync(string modelId, CancellationToken cancellationToken);
}
