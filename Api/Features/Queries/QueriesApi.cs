using Know2Vec.Api.Features.Models;
using Know2Vec.Api.Hosting;
using Know2Vec.Core.Catalog;
using Know2Vec.Core.Imaging;
using Know2Vec.Core.Querying;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace Know2Vec.Api.Features.Queries;

/// <summary>Rank the indexed models for a user's samples. A read: open without an API key.</summary>
public static class QueriesApi
{
    public const int DefaultTopK = 10;

    public static IEndpointRouteBuilder MapQueriesApi(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/queries").WithTags("Queries")
            .MapPost("/", PostQuery)
            .WithName("Query")
            .WithSummary("Ranks the indexed models by how well they fit the posted samples.")
            .WithDescription("multipart/form-data: 'images' (one or more PNG/JPEG files), optional 'labels' (repeated, one per image "
                + "in order; they only group the samples), 'topK' (default 10), filters 'zoo', 'architecture', 'tag', 'maxParameters', "
                + "and 'rerank' (0-20, default 0): run the top k models on the images and re-order them by LogME of their outputs.")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .RequireRateLimiting(ApiHostingExtensions.AdmissionPolicy)
            .DisableAntiforgery();
        return app;
    }

    /// <summary>
    /// Reads the form into a query (<see cref="QueryForm.ToRequestAsync"/>), runs it and answers with the
    /// ranked models. Every refusal is an exception the one exception handler turns into a ProblemDetails.
    /// </summary>
    internal static async Task<Ok<QueryResponse>> PostQuery(
        [AsParameters] QueryForm form,
        [FromServices] ImageDecoder decoder,
        [FromServices] IQueryService queries,
        [FromServices] IOptions<ApiOptions> options,
        CancellationToken cancellationToken)
    {
        var request = await form.ToRequestAsync(decoder, options.Value.Limits, cancellationToken);
        var result = await queries.QueryAsync(request, cancellationToken);
        return TypedResults.Ok(QueryResponse.From(result));
    }
}

/// <summary>
/// The form of <c>POST /queries</c>. Scalars bind as text and are parsed here, so that a bad value is
/// reported under its own field name; repeated fields bind as <see cref="StringValues"/> (a string[]
/// form parameter breaks route building on .NET 10). Parsing and decoding are the Api's part of
/// validation; the query's consistency (counts, ranges) is checked once, by the query service.
/// </summary>
internal sealed class QueryForm
{
    /// <summary>All uploaded files; the query uses those named "images" (binding a file collection takes no name).</summary>
    public required IFormFileCollection Images { get; init; }

    /// <summary>Optional: one per image, in order. Unlabelled queries are clustered into pseudo-classes.</summary>
    [FromForm(Name = "labels")]
    public StringValues? Labels { get; init; }

    [FromForm(Name = "topK")]
    public string? TopK { get; init; }

    [FromForm(Name = "zoo")]
    public string? Zoo { get; init; }

    [FromForm(Name = "architecture")]
    public string? Architecture { get; init; }

    [FromForm(Name = "tag")]
    public string? Tag { get; init; }

    [FromForm(Name = "maxParameters")]
    public string? MaxParameters { get; init; }

    [FromForm(Name = "rerank")]
    public string? Rerank { get; init; }

    /// <exception cref="InvalidRequestException">A field is not a number, too many images, or an image cannot be decoded.</exception>
    public async Task<QueryRequest> ToRequestAsync(ImageDecoder decoder, Know2VecLimits limits, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var files = FormReading.ImageFiles(Images, limits, errors);
        var topK = FormReading.WholeNumber(TopK, "topK", QueriesApi.DefaultTopK, errors);
        var rerank = FormReading.WholeNumber(Rerank, "rerank", 0, errors);
        if (!ModelsApi.TryParseMaxParameters(MaxParameters, out var maxParameters, out var maxError))
        {
            errors["maxParameters"] = [maxError];
        }

        FormReading.ThrowIfAny(errors);
        var decoded = await FormReading.DecodeAsync(files, decoder, errors, cancellationToken);
        FormReading.ThrowIfAny(errors);

        var labels = Labels is { Count: > 0 } given ? given.Select(l => l ?? "").ToArray() : null;
        return new QueryRequest(decoded, labels, topK, new ModelFilter(Blank(Zoo), Blank(Architecture), Blank(Tag), maxParameters), rerank);
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}

/// <summary>Models ranked best first, and where the time went.</summary>
public sealed record QueryResponse(IReadOnlyList<QueryResultItem> Results, QueryTimingsResponse Timings)
{
    internal static QueryResponse From(QueryResult result) => new(
        result.Hits.Select((hit, i) => new QueryResultItem(
            i + 1, hit.Model.Id, hit.Model.ZooId, hit.Model.Name, hit.Score, hit.Model.Labels,
            hit.ClassMatches.Select(m => new ClassMatchResponse(m.QueryClass, m.ModelClass, m.Similarity)).ToArray(),
            hit.ForwardScore is { } f ? Math.Round(f, 4) : null)).ToArray(),
        new QueryTimingsResponse(
            Math.Round(result.Timings.FeaturizeMs, 2), Math.Round(result.Timings.EncodeMs, 2), Math.Round(result.Timings.SearchMs, 2),
            Math.Round(result.Timings.RerankMs, 2)));
}

/// <summary>One ranked model.</summary>
/// <param name="Rank">1 for the best fit.</param>
/// <param name="ModelId">Catalog id ("{zooId}:{name}").</param>
/// <param name="ZooId">The model's zoo.</param>
/// <param name="Name">The model's id in its zoo's manifest.</param>
/// <param name="Score">Cosine similarity in the aligned space (higher fits better).</param>
/// <param name="Labels">The model's class labels.</param>
/// <param name="ClassMatches">Per query class, the model class that matches it best.</param>
/// <param name="ForwardScore">LogME of the model's outputs on the query images, when it was re-ranked (rerank=k).</param>
public sealed record QueryResultItem(
    int Rank,
    string ModelId,
    string ZooId,
    string Name,
    float Score,
    IReadOnlyList<string> Labels,
    IReadOnlyList<ClassMatchResponse> ClassMatches,
    double? ForwardScore = null);

/// <summary>A query class (a label, or a pseudo-class of unlabelled samples) and the model class closest to it.</summary>
public sealed record ClassMatchResponse(string QueryClass, string ModelClass, float Similarity);

/// <summary>Milliseconds spent featurizing the images, encoding the query, searching the index and re-ranking.</summary>
public sealed record QueryTimingsResponse(double FeaturizeMs, double EncodeMs, double SearchMs, double RerankMs);
