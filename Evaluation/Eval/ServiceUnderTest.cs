using Know2Vec.Core.Alignment;
using Know2Vec.Core.Catalog;
using Know2Vec.Core.Featurization;
using Know2Vec.Core.Knowledge;
using Know2Vec.Core.Querying;
using Know2Vec.Core.Vectors;
using Know2Vec.Core.Zoo;
using Know2Vec.Storage.Sqlite;
using Microsoft.Extensions.Options;

namespace Know2Vec.Evaluation.Eval;

/// <summary>
/// The embedded service's storage and query path for one alignment, in a temporary folder: a
/// SqliteCatalog with the zoo's models and their knowledge tensors (from the probe cache, as the
/// indexer stores them) and an EmbeddedVectorIndex with each model's vector under this alignment.
/// </summary>
internal sealed class ServiceUnderTest : IDisposable
{
    private readonly SqliteCatalog _catalog;
    private readonly EmbeddedVectorIndex _index;
    private readonly IReadOnlyList<string> _modelIds;

    private ServiceUnderTest(SqliteCatalog catalog, EmbeddedVectorIndex index, QueryService service, IReadOnlyList<string> modelIds)
    {
        _catalog = catalog;
        _index = index;
        Service = service;
        _modelIds = modelIds;
    }

    public QueryService Service { get; }

    /// <summary>The catalog the service reads (the reranker finds model files through it).</summary>
    public ICatalog Catalog => _catalog;

    /// <summary>
    /// The alignment version(s) of the vectors this service searches, read back from its index
    /// (comma-separated if they differ): which alignment a method's rankings really came from.
    /// </summary>
    public async Task<string> StoredAlignmentVersionAsync(CancellationToken cancellationToken)
    {
        var versions = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var id in _modelIds)
        {
            var point = await _index.GetAsync(id, cancellationToken)
                ?? throw new InvalidOperationException($"model {id} has no vector in the evaluated index");
            versions.Add(point.Payload.AlignmentVersion);
        }

        return string.Join(", ", versions);
    }

    public static async Task<ServiceUnderTest> CreateAsync(
        string folder,
        IAlignment alignment,
        IFeaturizer featurizer,
        ZooRegistration zoo,
        IReadOnlyDictionary<string, KnowledgeTensor> knowledge,
        CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(folder);
        var catalog = new SqliteCatalog(Path.Combine(folder, "catalog.db"));
        var index = new EmbeddedVectorIndex(Path.Combine(folder, "vectors.db"));
        try
        {
            if (!await catalog.TryAddZooAsync(zoo.Zoo, zoo.Models, cancellationToken))
            {
                throw new InvalidOperationException($"zoo {zoo.Zoo.Id} already in {folder}");
            }

            var points = new List<VectorPoint>(zoo.Models.Count);
            foreach (var model in zoo.Models)
            {
                var k = knowledge[model.Id];
                await catalog.SaveKnowledgeAsync(model.Id, k, cancellationToken);
                await catalog.SetModelStatusAsync(model.Id, ModelStatus.Indexed, null, cancellationToken);
                var payload = new VectorPayload(model.ZooId, model.Architecture, model.Tags, model.Parameters, alignment.Version);
                points.Add(new VectorPoint(model.Id, alignment.EncodeModel(k), payload));
            }

            await index.UpsertAsync(points, cancellationToken);
            var options = new QueryOptions
            {
                MaxTopK = Math.Max(100, zoo.Models.Count),
                Candidates = Math.Max(200, zoo.Models.Count),
            };
            return new ServiceUnderTest(catalog, index, new QueryService(featurizer, alignment, index, catalog, Options.Create(options)), zoo.Models.Select(m => m.Id).ToList());
        }
        catch
        {
            index.Dispose();
            catalog.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        _index.Dispose();
        _catalog.Dispose();
    }
}
