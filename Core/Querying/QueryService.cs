using System.Diagnostics;
using Know2Vec.Core.Alignment;
using Know2Vec.Core.Catalog;
using Know2Vec.Core.Featurization;
using Know2Vec.Core.Vectors;
using Microsoft.Extensions.Caching.Memory;
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
    ForwardPassReranker? reranker = null) : IQueryService, IDisposable
{
    private readonly QueryOptions _options = options.Value;

    // A model's class vectors by (model, last status change), bounded by count (QueryOptions.ClassVectorCacheSize).
    private readonly MemoryCache _classVectors = new(new MemoryCacheOptions { SizeLimit = options.Value.ClassVectorCacheSize });

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
        // One read for every candidate's record and one for the knowledge of those not cached: the
        // number of catalog calls does not grow with the number of candidates.
        var models = (await catalog.GetModelsAsync(candidates.Select(c => c.ModelId).ToArray(), cancellationToken))
            .Where(m => m.Status == ModelStatus.Indexed) // failed or being re-indexed between search and read
            .ToDictionary(m => m.Id, StringComparer.Ordinal);
        var classVectors = await ModelClassVectorsAsync(models.Values, cancellationToken);
        var hits = new List<QueryHit>(candidates.Count);
        foreach (var candidate in candidates)
        {
            if (!models.TryGetValue(candidate.ModelId, out var model) || !classVectors.TryGetValue(model.Id, out var modelClassVectors))
            {
                continue; // deleted between search and read, or no knowledge stored
            }

            var (score, matches) = ClassSetMatching.Match(classes, queryClassVectors, modelClassVectors, model.Labels);
            hits.Add(new QueryHit(model, alignment.RanksByClassMatch ? score : candidate.Score, matches));
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
    /// The class vectors of <paramref name="models"/>, computed from their stored knowledge once per
    /// (model, last status change) and cached: re-deriving them (a tower run for a trained alignment)
    /// for every candidate of every query was the query path's largest cost after featurizing.
    /// Re-indexing changes UpdatedAt, so a new knowledge tensor is never matched with stale vectors.
    /// The knowledge of all models not in the cache is read at once.
    /// </summary>
    private async Task<Dictionary<string, float[]?[]>> ModelClassVectorsAsync(IEnumerable<ModelRecord> models, CancellationToken cancellationToken)
    {
        var found = new Dictionary<string, float[]?[]>(StringComparer.Ordinal);
        var missing = new List<ModelRecord>();
        foreach (var model in models)
        {
            if (_classVectors.TryGetValue((model.Id, model.UpdatedAt), out float[]?[]? cached) && cached is not null)
            {
                found[model.Id] = cached;
            }
            else
            {
                missing.Add(model);
            }
        }

        if (missing.Count == 0)
        {
            return found;
        }

        var knowledge = await catalog.GetKnowledgeAsync(missing.Select(m => m.Id).ToArray(), cancellationToken);
        foreach (var model in missing)
        {
            if (knowledge.TryGetValue(model.Id, out var tensor))
            {
                var vectors = alignment.ModelClassVectors(tensor);
                _classVectors.Set((model.Id, model.UpdatedAt), vectors, new MemoryCacheEntryOptions { Size = 1 });
                found[model.Id] = vectors;
            }
        }

        return found;
    }

    /// <summary>Frees the class-vector cache.</summary>
    public void Dispose() => _classVectors.Dispose();


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

    /// <summary>The one place a query's consistency is checked; every problem is reported, by field.</summary>
    private void Validate(QueryRequest request)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (request.Images.Count == 0)
        {
            errors["images"] = ["Send at least one image (PNG or JPEG) as a form file named 'images'."];
        }

        if (request.Labels is { } labels)
        {
            if (labels.Count != request.Images.Count)
            {
                errors["labels"] = [$"Give one label per image, in the images' order, or none: got {labels.Count} labels for {request.Images.Count} images."];
            }
            else if (labels.Any(string.IsNullOrWhiteSpace))
            {
                errors["labels"] = ["Labels must not be blank."];
            }
        }

        if (request.TopK < 1 || request.TopK > _options.MaxTopK)
        {
            errors["topK"] = [$"topK must be a whole number from 1 to {_options.MaxTopK} (Know2Vec:Query:MaxTopK); got {request.TopK}."];
        }

        if (request.Rerank < 0 || request.Rerank > ForwardPassReranker.MaxModels)
        {
            errors["rerank"] = [$"rerank must be a whole number from 0 to {ForwardPassReranker.MaxModels}; got {request.Rerank}."];
        }

        if (errors.Count > 0)
        {
            throw new InvalidQueryException(errors);
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
