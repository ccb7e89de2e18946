using System.Diagnostics;
using Know2Vec.Core.Catalog;
using Know2Vec.Core.Imaging;
using Know2Vec.Core.Inference;
using Know2Vec.Core.Querying;
using Know2Vec.Core.Transfer;
using Know2Vec.Core.Zoo;
using Know2Vec.Evaluation.Benchmark;

namespace Know2Vec.Evaluation.Eval;

/// <summary>A candidate model of the evaluated zoo, with a classifier session created up front (never timed).</summary>
internal sealed record EvalModel(int Index, ManifestModel Manifest, string CatalogId, BenchmarkTask Task, string Path, OnnxClassifier Classifier)
{
    /// <summary>The model's classes as (dataset, class) pairs, for class-overlap reporting.</summary>
    public IEnumerable<(string Dataset, int Class)> Classes => Task.Classes.Select(c => (Task.Dataset, c));
}

/// <summary>One query set as every method sees it.</summary>
/// <param name="LabelIndex">Each image's class as an index in order of first appearance (what LogME needs).</param>
/// <param name="OpaqueLabels">"c1", "c2", … per image: Know2Vec may group by them but learns nothing from the names.</param>
/// <param name="LabelNames">The dataset's real class names of the query (only the label-overlap baseline sees them).</param>
internal sealed record EvalQuery(
    int Index,
    BenchmarkQuery Query,
    BenchmarkTask Task,
    IReadOnlyList<RasterImage> Images,
    int[] LabelIndex,
    string[] OpaqueLabels,
    IReadOnlySet<string> LabelNames);

/// <summary>One method's scores for every candidate model (index order) and the wall time it took.</summary>
/// <param name="Hits">The service's own ranked hits, for the methods that run through QueryService (the reranker re-orders them).</param>
internal sealed record MethodOutcome(double[] Scores, double Milliseconds, QueryTimings? Timings = null, IReadOnlyList<QueryHit>? Hits = null);

/// <summary>A ranking method under evaluation.</summary>
internal interface IEvalMethod
{
    string Name { get; }

    /// <param name="query">The query set.</param>
    /// <param name="earlier">Outcomes of the methods run before this one on the same query (for re-rankers).</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    Task<MethodOutcome> RankAsync(EvalQuery query, IReadOnlyDictionary<string, MethodOutcome> earlier, CancellationToken cancellationToken);
}

/// <summary>Scores that need nothing but the manifest (random, size, label names): timed, but microseconds.</summary>
internal sealed class MetadataMethod(string name, Func<EvalQuery, EvalModel, double> score, IReadOnlyList<EvalModel> models) : IEvalMethod
{
    public string Name => name;

    public Task<MethodOutcome> RankAsync(EvalQuery query, IReadOnlyDictionary<string, MethodOutcome> earlier, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var scores = models.Select(m => score(query, m)).ToArray();
        return Task.FromResult(new MethodOutcome(scores, Stopwatch.GetElapsedTime(started).TotalMilliseconds));
    }

    /// <summary>Uniform random scores, seeded per query so runs repeat.</summary>
    public static MetadataMethod Random(IReadOnlyList<EvalModel> models, int seed)
    {
        var perQuery = new Dictionary<int, double[]>();
        return new MetadataMethod(MethodNames.Random, (q, m) =>
        {
            if (!perQuery.TryGetValue(q.Index, out var draws))
            {
                var random = new Random(unchecked(seed + (q.Index * 7919)));
                perQuery[q.Index] = draws = models.Select(_ => random.NextDouble()).ToArray();
            }

            return draws[m.Index];
        }, models);
    }

    /// <summary>Parameter count: larger = better (a strong baseline on some published benchmarks).</summary>
    public static MetadataMethod Size(IReadOnlyList<EvalModel> models) =>
        new(MethodNames.Size, (_, m) => m.Manifest.Parameters ?? 0, models); // every benchmark model declares its count

    /// <summary>Jaccard overlap of the query's real class names with the model's label names (case-insensitive).</summary>
    public static MetadataMethod LabelOverlap(IReadOnlyList<EvalModel> models) =>
        new(MethodNames.LabelOverlap, (q, m) =>
        {
            var modelNames = m.Manifest.Labels.ToHashSet(StringComparer.OrdinalIgnoreCase);
            var shared = q.LabelNames.Count(modelNames.Contains);
            return (double)shared / (q.LabelNames.Count + modelNames.Count - shared);
        }, models);
}

/// <summary>
/// Brute force: every candidate model runs on the query images and is scored by LogME on its
/// softmax outputs with the query's labels. Timed per query including the forward passes.
/// </summary>
internal sealed class LogMeMethod(IReadOnlyList<EvalModel> models) : IEvalMethod
{
    public string Name => MethodNames.LogMe;

    public Task<MethodOutcome> RankAsync(EvalQuery query, IReadOnlyDictionary<string, MethodOutcome> earlier, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var scores = models.Select(m => Score(m, query, cancellationToken)).ToArray();
        return Task.FromResult(new MethodOutcome(scores, Stopwatch.GetElapsedTime(started).TotalMilliseconds));
    }

    public static double Score(EvalModel model, EvalQuery query, CancellationToken cancellationToken) =>
        LogMe.ScoreLogits(model.Classifier.Predict(query.Images, cancellationToken), query.LabelIndex);
}

/// <summary>
/// The service's own query path (QueryService over a catalog and vector index loaded like the
/// indexer loads them), end to end including featurizing the query images. Labelled queries pass
/// opaque labels c1, c2, …; unlabelled ones pass none (the service finds pseudo-classes).
/// </summary>
internal sealed class ServiceMethod(string name, IQueryService service, IReadOnlyList<EvalModel> models, bool labelled) : IEvalMethod
{
    private readonly Dictionary<string, int> _indexOf = models.ToDictionary(m => m.CatalogId, m => m.Index, StringComparer.Ordinal);

    public string Name => name;

    public async Task<MethodOutcome> RankAsync(EvalQuery query, IReadOnlyDictionary<string, MethodOutcome> earlier, CancellationToken cancellationToken)
    {
        var request = new QueryRequest(query.Images, labelled ? query.OpaqueLabels : null, models.Count, ModelFilter.None);
        var started = Stopwatch.GetTimestamp();
        var result = await service.QueryAsync(request, cancellationToken);
        var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;

        // A model the service did not return ranks below every returned one.
        var scores = Enumerable.Repeat(double.NegativeInfinity, models.Count).ToArray();
        foreach (var hit in result.Hits)
        {
            scores[_indexOf[hit.ModelId]] = hit.Score;
        }

        return new MethodOutcome(scores, elapsed, result.Timings, result.Hits);
    }
}

/// <summary>
/// Re-ranking beyond the paper (as Model Spider does): the service's own <see cref="ForwardPassReranker"/>
/// runs Know2Vec's top k models on the query and re-orders them by LogME; the rest keep Know2Vec's
/// order. Its time is Know2Vec's query time for the same query plus the reranker's.
/// </summary>
internal sealed class RerankMethod(string name, string baseMethod, int top, IReadOnlyList<EvalModel> models, ForwardPassReranker reranker) : IEvalMethod
{
    private readonly Dictionary<string, int> _indexOf = models.ToDictionary(m => m.CatalogId, m => m.Index, StringComparer.Ordinal);

    public string Name => name;

    public string BaseMethod => baseMethod;

    public async Task<MethodOutcome> RankAsync(EvalQuery query, IReadOnlyDictionary<string, MethodOutcome> earlier, CancellationToken cancellationToken)
    {
        var first = earlier[baseMethod];
        var hits = first.Hits ?? throw new InvalidOperationException($"{baseMethod} does not run through the query service: nothing to re-rank.");
        var started = Stopwatch.GetTimestamp();
        var reranked = await reranker.RerankAsync(hits, top, query.Images, query.LabelIndex, cancellationToken);
        var rerankMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;

        // Scores by place; a model the service did not return ranks below every returned one.
        var scores = Enumerable.Repeat(double.NegativeInfinity, models.Count).ToArray();
        for (var place = 0; place < reranked.Count; place++)
        {
            scores[_indexOf[reranked[place].ModelId]] = models.Count - place;
        }

        return new MethodOutcome(scores, first.Milliseconds + rerankMs);
    }
}
