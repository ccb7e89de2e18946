namespace Know2Vec.Core.Indexing;

/// <summary>
/// Indexes one catalogued model as a black box: checks its file, probes it on the probe pool,
/// stores its knowledge tensor, encodes it and upserts its vector. Idempotent: re-running
/// overwrites the same knowledge and the same vector point.
/// </summary>
public interface IModelIndexer
{
    /// <summary>
    /// Indexes <paramref name="modelId"/> (a catalog id, "{zooId}:{name}"). A model that cannot be
    /// indexed for a reason of its own (corrupt file, sha256 mismatch, input that cannot be fed) is
    /// marked <c>Failed</c> with that reason and the call returns normally. Other exceptions
    /// (I/O, storage) propagate so that the job runner retries them.
    /// </summary>
    Task IndexModelAsync(string modelId, CancellationToken cancellationToken);

    /// <summary>
    /// Re-encodes an indexed model's stored knowledge tensor with the current alignment and
    /// overwrites its vector — never re-probing. Returns false when there was nothing to do (not
    /// indexed, no stored knowledge, or its vector already has the current alignment version).
    /// </summary>
    Task<bool> ReencodeAsync(string modelId, CancellationToken cancellationToken);

    /// <summary>The alignment version new vectors are written with.</summary>
    string AlignmentVersion { get; }
}
