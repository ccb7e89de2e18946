using System.Diagnostics;
using System.Numerics.Tensors;
using Know2Vec.Core.Alignment;
using Know2Vec.Core.Catalog;
using Know2Vec.Core.Featurization;
using Know2Vec.Core.Vectors;
using Microsoft.Extensions.Options;

namespace Know2Vec.Core.Querying;

/// <summary>
/// Answers a query without running any zoo model: featurize the samples, group them into
/// classes (labels, or pseudo-classes when unlabelled), encode, recall candidates with one vector
/// search, then order the candidates by how well their class vectors match the query's classes
/// (symmetric best-match similarity), which also yields the per-class explanation.
/// </summary>
public sealed class QueryService(
    IFeaturizer featurizer,
    IAlignment alignment,
    IVectorIndex index,
    ICatalog catalog,
    IOptions<QueryOptions> options,
    ForwardPassReranker? reranker = null) : IQueryService
{
    private readonly QueryOptions _options = options.Value;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(string Id, DateTimeOffset UpdatedAt), float[]?[]> _classVectors = new();

    /// <inheritdoc/>
    public async Task<QueryResult> QueryAsync(QueryRequest request, CancellationToken cancellationToken)
    {
        Validate(request);
        var watch = Stopwatch.StartNew();
        var features = featurizer.Featurize(request.Images, cancellationToken);
        var featurizeMs = watch.Elapsed.TotalMilliseconds;

        watch.Restart();
        var classes = GroupIntoClasses(features, request.Labels);
        var queryClassVectors = alignment.QueryClassVectors(classes);
        // With class matching the query vector is the mean class vector: no second tower run.
        var queryVector = alignment.RanksByClassMatch
            ? ZeroShotAlignment.Normalised(ZeroShotAlignment.Mean(queryClassVectors))
            : alignment.EncodeQuery(classes);
        var encodeMs = watch.Elapsed.TotalMilliseconds;

        watch.Restart();
        // Class matching re-orders a wider recall; a trained alignment's cosine is the final order.
        var recall = alignment.RanksByClassMatch ? Math.Max(_options.Candidates, request.TopK) : request.TopK;
        var candidates = await index.SearchAsync(queryVector, recall, request.Filter, cancellationToken);
        var hits = new List<QueryHit>(candidates.Count);
        foreach (var candidate in candidates)
        {
            var model = await catalog.GetModelAsync(candidate.ModelId, cancellationToken);
            if (model is not { Status: ModelStatus.Indexed }
                || await ModelClassVectorsAsync(model, cancellationToken) is not { } modelClassVectors)
            {
                continue; // deleted, failed or being re-indexed between search and read
            }

            var hit = Match(candidate.ModelId, classes, queryClassVectors, modelClassVectors, model.Labels);
            hits.Add(alignment.RanksByClassMatch ? hit : hit with { Score = candidate.Score });
        }

        IReadOnlyList<QueryHit> ranked = hits.OrderByDescending(h => h.Score).ThenBy(h => h.ModelId, StringComparer.Ordinal).Take(request.TopK).ToList();
        var searchMs = watch.Elapsed.TotalMilliseconds;

        watch.Restart();
        if (request.Rerank > 0 && reranker is not null)
        {
            var classIndex = SampleClasses(classes, features);
            ranked = await reranker.RerankAsync(ranked, request.Rerank, request.Images, classIndex, cancellationToken);
        }

        return new QueryResult(ranked, new QueryTimings(featurizeMs, encodeMs, searchMs, request.Rerank > 0 ? watch.Elapsed.TotalMilliseconds : 0));
    }

    /// <summary>
    /// Score = mean of (each query class's best model-class similarity) and (each reached model
    /// class's best query-class similarity): the model must cover the query's classes, and extra
    /// classes the query does not have cost it.
    /// </summary>
    internal static QueryHit Match(string modelId, IReadOnlyList<QueryClass> classes, float[][] queryVectors, float[]?[] modelVectors, IReadOnlyList<string> modelLabels)
    {
        var matches = new List<ClassMatch>(classes.Count);
        double queryToModel = 0;
        for (var q = 0; q < classes.Count; q++)
        {
            var (best, similarity) = (-1, float.NegativeInfinity);
            for (var m = 0; m < modelVectors.Length; m++)
            {
                if (modelVectors[m] is { } v && TensorPrimitives.Dot(queryVectors[q], v) is var s && s > similarity)
                {
                    (best, similarity) = (m, s);
                }
            }

            queryToModel += similarity;
            matches.Add(new ClassMatch(classes[q].Name, modelLabels[best], similarity));
        }

        var reached = modelVectors.Where(v => v is not null).Cast<float[]>().ToList();
        var modelToQuery = reached.Average(v => queryVectors.Max(q => TensorPrimitives.Dot(q, v)));
        var score = (float)(((queryToModel / classes.Count) + modelToQuery) / 2);
        return new QueryHit(modelId, score, matches);
    }

    /// <summary>
    /// A model's class vectors, computed from its stored knowledge once per (model, last status
    /// change) and kept: re-deriving them (a tower run for a trained alignment) for every candidate
    /// of every query was the query path's largest cost after featurizing. Re-indexing changes
    /// UpdatedAt, so a new knowledge tensor is never matched with stale vectors.
    /// </summary>
    private async Task<float[]?[]?> ModelClassVectorsAsync(ModelRecord model, CancellationToken cancellationToken)
    {
        var key = (model.Id, model.UpdatedAt);
        if (_classVectors.TryGetValue(key, out var cached))
        {
            return cached;
        }

        if (await catalog.GetKnowledgeAsync(model.Id, cancellationToken) is not { } knowledge)
        {
            return null;
        }

        var vectors = alignment.ModelClassVectors(knowledge);
        _classVectors[key] = vectors;
        return vectors;
    }

    /// <summary>The class index of each sample (by identity of its feature row in the classes).</summary>
    private static int[] SampleClasses(IReadOnlyList<QueryClass> classes, float[][] features)
    {
        var index = new Dictionary<float[], int>(ReferenceEqualityComparer.Instance);
        for (var c = 0; c < classes.Count; c++)
        {
            foreach (var f in classes[c].Features)
            {
                index[f] = c;
            }
        }

        return features.Select(f => index[f]).ToArray();
    }

    private void Validate(QueryRequest request)
    {
        if (request.Images.Count == 0)
        {
            throw new InvalidQueryException("images", "at least one image is required");
        }

        if (request.Labels is { } labels)
        {
            if (labels.Count != request.Images.Count)
            {
                throw new InvalidQueryException("labels", $"{labels.Count} labels for {request.Images.Count} images: give one label per image, in the same order, or none");
            }

            if (labels.Any(string.IsNullOrWhiteSpace))
            {
                throw new InvalidQueryException("labels", "labels must not be empty");
            }
        }

        if (request.TopK < 1 || request.TopK > _options.MaxTopK)
        {
            throw new InvalidQueryException("topK", $"topK must be between 1 and {_options.MaxTopK}");
        }

        if (request.Rerank < 0 || request.Rerank > ForwardPassReranker.MaxModels)
        {
            throw new InvalidQueryException("rerank", $"rerank must be between 0 and {ForwardPassReranker.MaxModels}");
        }
    }

    private List<QueryClass> GroupIntoClasses(float[][] features, IReadOnlyList<string>? labels)
    {
        if (labels is not null)
        {
            // Labels only group samples; their text never enters the score.
            return labels.Select((label, i) => (label, i))
                .GroupBy(x => x.label, StringComparer.Ordinal)
                .Select(g => new QueryClass(g.Key, g.Select(x => features[x.i]).ToList()))
                .ToList();
        }

        var assignment = PseudoClasses.Assign(features, _options.MaxPseudoClasses);
        return assignment.Select((cluster, i) => (cluster, i))
            .GroupBy(x => x.cluster)
            .OrderBy(g => g.Key)
            .Select(g => new QueryClass($"cluster-{g.Key + 1}", g.Select(x => features[x.i]).ToList()))
            .ToList();
    }
}
