using Know2Vec.Core.Catalog;
using Know2Vec.Core.Imaging;

namespace Know2Vec.Core.Querying;

/// <summary>
/// A user's query: their samples, optional labels (one per image; they only group samples), how
/// many models to return, filters, and optionally how many of the top models to re-rank by running
/// them on the samples (0 = none).
/// </summary>
public sealed record QueryRequest(IReadOnlyList<RasterImage> Images, IReadOnlyList<string>? Labels, int TopK, ModelFilter Filter, int Rerank = 0);

/// <summary>Which class of the model best matches a class (or pseudo-class) of the query.</summary>
public sealed record ClassMatch(string QueryClass, string ModelClass, float Similarity);

/// <summary>
/// One ranked model with its catalog record (read once per query, carried to the caller and the
/// reranker); <see cref="ForwardScore"/> is its LogME on the query when it was re-ranked.
/// </summary>
public sealed record QueryHit(ModelRecord Model, float Score, IReadOnlyList<ClassMatch> ClassMatches, double? ForwardScore = null)
{
    /// <summary>The model's catalog id.</summary>
    public string ModelId => Model.Id;
}

/// <summary>Where a query's time went, in milliseconds (<see cref="RerankMs"/>: forward passes and LogME of re-ranking).</summary>
public sealed record QueryTimings(double FeaturizeMs, double EncodeMs, double SearchMs, double RerankMs = 0);

/// <summary>Ranked models, best first, and timings.</summary>
public sealed record QueryResult(IReadOnlyList<QueryHit> Hits, QueryTimings Timings);

/// <summary>Thrown for a query that cannot be answered as posted (e.g. label count differs from image count).</summary>
public sealed class InvalidQueryException(IReadOnlyDictionary<string, string[]> errors)
    : Exception(string.Join(" ", errors.SelectMany(e => e.Value)))
{
    /// <summary>One problem with one field.</summary>
    public InvalidQueryException(string field, string message)
        : this(new Dictionary<string, string[]> { [field] = [message] })
    {
    }

    /// <summary>Every problem found, by request field, for a validation ProblemDetails.</summary>
    public IReadOnlyDictionary<string, string[]> Errors { get; } = errors;

    /// <summary>The first field at fault.</summary>
    public string Field => Errors.Keys.First();
}

/// <summary>Embeds a user's samples into the aligned space and ranks the indexed models. Runs no zoo model.</summary>
public interface IQueryService
{
    /// <exception cref="InvalidQueryException">The request is inconsistent.</exception>
    Task<QueryResult> QueryAsync(QueryRequest request, CancellationToken cancellationToken);
}
