using Know2Vec.Core.Catalog;
using Know2Vec.Core.Imaging;
using Know2Vec.Core.Inference;
using Know2Vec.Core.Transfer;
using Microsoft.Extensions.Logging;

namespace Know2Vec.Core.Querying;

/// <summary>
/// Re-ranking beyond the paper (as Model Spider does): the top k models of a Know2Vec ranking are
/// run on the query's own images and re-ordered by LogME of their outputs against the query's
/// classes (labels, or pseudo-classes) — brute-force quality for k forward passes instead of one
/// per zoo model. Models below the top k keep their order.
/// </summary>
public sealed partial class ForwardPassReranker(ICatalog catalog, ModelRunner runner, ILogger<ForwardPassReranker> logger)
{
    /// <summary>Largest k accepted (each is a forward pass over all query images).</summary>
    public const int MaxModels = 20;

    /// <summary>Returns <paramref name="hits"/> with the first <paramref name="k"/> re-ordered by LogME (their <see cref="QueryHit.ForwardScore"/> set).</summary>
    public async Task<IReadOnlyList<QueryHit>> RerankAsync(
        IReadOnlyList<QueryHit> hits, int k, IReadOnlyList<RasterImage> images, IReadOnlyList<int> classes, CancellationToken cancellationToken)
    {
        if (k <= 1 || hits.Count == 0 || classes.Distinct().Count() < 2)
        {
            return hits; // LogME needs at least two classes to tell models apart
        }

        // The hits carry their model records; the zoos' folders come in one read.
        var zooRoots = (await catalog.ListZoosAsync(cancellationToken))
            .ToDictionary(z => z.Id, z => z.RootDirectory, StringComparer.Ordinal);
        var top = new List<QueryHit>();
        foreach (var hit in hits.Take(k))
        {
            double? score = null;
            try
            {
                if (zooRoots.TryGetValue(hit.Model.ZooId, out var root) && runner.ClassifierFor(hit.Model, root) is { } classifier)
                {
                    score = LogMe.ScoreLogits(classifier.Predict(images, cancellationToken), classes);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // One model that cannot run (file replaced, session failure) must not fail the query.
                LogModelFailed(logger, hit.ModelId, e);
            }

            top.Add(hit with { ForwardScore = score });
        }

        // A model that could not be run keeps its place behind those that were scored.
        var reordered = top.OrderByDescending(h => h.ForwardScore ?? double.NegativeInfinity).ToList();
        return [.. reordered, .. hits.Skip(k)];
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Re-ranking could not run model {ModelId}; it keeps its place")]
    private static partial void LogModelFailed(ILogger logger, string modelId, Exception exception);
}
