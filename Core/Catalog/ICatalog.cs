using Know2Vec.Core.Knowledge;

namespace Know2Vec.Core.Catalog;

/// <summary>
/// The catalog: zoos, their models with indexing state, and each model's knowledge tensor.
/// Implementations (in Know2Vec.Storage): <c>SqliteCatalog</c> (embedded) and <c>PostgresCatalog</c> (distributed).
/// Implementations are thread-safe and shared by the API and all indexing workers; every
/// implementation passes the same storage contract suite.
/// </summary>
/// <remarks>
/// Listings are ordered by id (ordinal) so that results are deterministic. The catalog does not
/// touch the vector index: deleting a zoo here does not remove its vectors.
/// </remarks>
public interface ICatalog
{
    /// <summary>
    /// Registers a zoo with all its models, atomically: either the zoo and every model are stored,
    /// or nothing is.
    /// </summary>
    /// <param name="zoo">The zoo; its id must satisfy <see cref="ZooRecord.IsValidId"/>.</param>
    /// <param name="models">Its models: each with <see cref="ModelRecord.ZooId"/> = the zoo's id,
    /// <see cref="ModelRecord.Id"/> = <see cref="ModelRecord.MakeId"/>(zoo id, name), names unique.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>True when stored; false when a zoo with this id already exists (nothing is changed).</returns>
    /// <exception cref="ArgumentException">The zoo or a model is invalid.</exception>
    Task<bool> TryAddZooAsync(ZooRecord zoo, IReadOnlyList<ModelRecord> models, CancellationToken cancellationToken);

    /// <summary>Gets a zoo, or null when there is none with this id.</summary>
    Task<ZooRecord?> GetZooAsync(string zooId, CancellationToken cancellationToken);

    /// <summary>All zoos, ordered by id.</summary>
    Task<IReadOnlyList<ZooRecord>> ListZoosAsync(CancellationToken cancellationToken);

    /// <summary>Counts the zoo's models per status, or null when there is no such zoo.</summary>
    Task<ZooStatusCounts?> GetZooStatusAsync(string zooId, CancellationToken cancellationToken);

    /// <summary>All zoos with their models counted per status, ordered by id, in one read.</summary>
    Task<IReadOnlyList<ZooWithStatus>> ListZoosWithStatusAsync(CancellationToken cancellationToken);

    /// <summary>Deletes a zoo with its models and their knowledge.</summary>
    /// <returns>True when the zoo existed.</returns>
    Task<bool> DeleteZooAsync(string zooId, CancellationToken cancellationToken);

    /// <summary>Gets a model by catalog id, or null.</summary>
    Task<ModelRecord?> GetModelAsync(string modelId, CancellationToken cancellationToken);

    /// <summary>
    /// The models with these catalog ids that exist, ordered by id, in one read (the query path reads
    /// all its candidates at once). Unknown ids are left out.
    /// </summary>
    Task<IReadOnlyList<ModelRecord>> GetModelsAsync(IReadOnlyCollection<string> modelIds, CancellationToken cancellationToken);

    /// <summary>The models that pass <paramref name="filter"/>, ordered by id.</summary>
    Task<IReadOnlyList<ModelRecord>> ListModelsAsync(ModelFilter filter, CancellationToken cancellationToken);

    /// <summary>
    /// Sets a model's status and stamps <see cref="ModelRecord.UpdatedAt"/>. Any transition is
    /// allowed, because jobs are re-run (a failed model can be indexed again).
    /// </summary>
    /// <param name="modelId">Catalog id.</param>
    /// <param name="status">The new status.</param>
    /// <param name="failureReason">Why it failed; only with <see cref="ModelStatus.Failed"/> (may be null there). Other statuses clear the stored reason.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>False when the model does not exist (e.g. its zoo was deleted while a job ran).</returns>
    /// <exception cref="ArgumentException">A failure reason was given with a status other than <see cref="ModelStatus.Failed"/>.</exception>
    Task<bool> SetModelStatusAsync(string modelId, ModelStatus status, string? failureReason, CancellationToken cancellationToken);

    /// <summary>Stores a model's knowledge tensor, overwriting any previous one (probe jobs are idempotent).</summary>
    /// <returns>False when the model does not exist.</returns>
    Task<bool> SaveKnowledgeAsync(string modelId, KnowledgeTensor knowledge, CancellationToken cancellationToken);

    /// <summary>Gets a model's knowledge tensor, bit-exact as saved, or null when none is stored.</summary>
    Task<KnowledgeTensor?> GetKnowledgeAsync(string modelId, CancellationToken cancellationToken);

    /// <summary>The knowledge tensors stored for these models, by model id, in one read; models without one are left out.</summary>
    Task<IReadOnlyDictionary<string, KnowledgeTensor>> GetKnowledgeAsync(IReadOnlyCollection<string> modelIds, CancellationToken cancellationToken);

    /// <summary>Ids of all models, or of those with <paramref name="status"/>, ordered by id — e.g. to resume unfinished indexing after a restart.</summary>
    Task<IReadOnlyList<string>> ListModelIdsAsync(ModelStatus? status, CancellationToken cancellationToken);
}
