using Know2Vec.Api.Hosting;
using System.Globalization;
using Know2Vec.Api.Features.Models;
using Know2Vec.Core.Catalog;
using Know2Vec.Core.Imaging;
using Know2Vec.Core.Querying;
using Know2Vec.Hosting;
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
            .DisableAntiforgery();
        return app;
    }

    // Repeated form fields bind as StringValues: a string[] form parameter breaks route building on .NET 10.
    // Scalars bind as text and are parsed here, so that a bad value is reported under its own field name.
    internal static async Task<Results<Ok<QueryResponse>, ValidationProblem>> PostQuery(
        IFormFileCollection images,
        [FromForm] string? topK,
        [FromForm] string? zoo,
        [FromForm] string? architecture,
        [FromForm] string? tag,
        [FromForm] string? maxParameters,
        [FromForm] string? rerank,
        [FromServices] ImageDecoder decoder,
        [FromServices] IQueryService queries,
        [FromServices] ICatalog catalog,
        [FromServices] IOptions<ApiOptions> options,
        [FromServices] IOptions<QueryOptions> queryOptions,
        CancellationToken cancellationToken,
        [FromForm] StringValues? labels) // optional: unlabelled queries are clustered
    {
        var labelValues = labels ?? StringValues.Empty;
        var limits = options.Value.Limits;
        var files = images.GetFiles("images");
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);

        if (files.Count == 0)
        {
            errors["images"] = ["Send at least one image (PNG or JPEG) as a form file named 'images'."];
        }
        else if (files.Count > limits.MaxImagesPerQuery)
        {
            errors["images"] = [$"At most {limits.MaxImagesPerQuery} images per query (Know2Vec:Limits:MaxImagesPerQuery); got {files.Count}."];
        }
        if (labelValues.Count > 0 && labelValues.Count != files.Count)
        {
            errors["labels"] = [$"Give one label per image, in the images' order, or none: got {labelValues.Count} labels for {files.Count} images."];
        }
        else if (labelValues.Any(string.IsNullOrWhiteSpace))
        {
            errors["labels"] = ["Labels must not be blank."];
        }
        var k = DefaultTopK;
        if (!string.IsNullOrWhiteSpace(topK)
            && (!int.TryParse(topK, NumberStyles.None, CultureInfo.InvariantCulture, out k) || k < 1 || k > queryOptions.Value.MaxTopK))
        {
            errors["topK"] = [$"'{topK}' is not a whole number from 1 to {queryOptions.Value.MaxTopK}."];
        }
        var rerankTop = 0;
        if (!string.IsNullOrWhiteSpace(rerank)
            && (!int.TryParse(rerank, NumberStyles.None, CultureInfo.InvariantCulture, out rerankTop) || rerankTop > ForwardPassReranker.MaxModels))
        {
            errors["rerank"] = [$"'{rerank}' is not a whole number from 0 to {ForwardPassReranker.MaxModels}."];
        }
        if (!ModelsApi.TryParseMaxParameters(maxParameters, out var max, out var maxError))
        {
            errors["maxParameters"] = [maxError];
        }
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "The query is invalid");
        }

        var decoded = new List<GrayImage>(files.Count);
        for (var i = 0; i < files.Count; i++)
        {
            var file = files[i];
            try
            {
                decoded.Add(decoder.Decode(await ReadAllAsync(file, cancellationToken)));
            }
            catch (ImageDecodeException e)
            {
                // The decoder's messages are written for clients; the file name tells which upload it was.
                errors[$"images[{i}]"] = [$"'{file.FileName}': {e.Message}"];
            }
        }
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "An image could not be used");
        }

        QueryResult result;
        try
        {
            var request = new QueryRequest(decoded, labelValues.Count == 0 ? null : labelValues.Select(l => l!).ToArray(), k, new ModelFilter(Blank(zoo), Blank(architecture), Blank(tag), max), rerankTop);
            result = await queries.QueryAsync(request, cancellationToken);
        }
        catch (InvalidQueryException e)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { [e.Field] = [e.Message] }, title: "The query is invalid");
        }

        var ranked = new List<QueryResultItem>(result.Hits.Count);
        foreach (var hit in result.Hits)
        {
            // A hit whose model left the catalog (its zoo was deleted mid-query) is dropped.
            if (await catalog.GetModelAsync(hit.ModelId, cancellationToken) is { } model)
            {
                ranked.Add(new QueryResultItem(
                    ranked.Count + 1, model.Id, model.ZooId, model.Name, hit.Score, model.Labels,
                    hit.ClassMatches.Select(m => new ClassMatchResponse(m.QueryClass, m.ModelClass, m.Similarity)).ToArray(),
                    hit.ForwardScore is { } f ? Math.Round(f, 4) : null));
            }
        }
        var timings = new QueryTimingsResponse(
            Math.Round(result.Timings.FeaturizeMs, 2), Math.Round(result.Timings.EncodeMs, 2), Math.Round(result.Timings.SearchMs, 2),
            Math.Round(result.Timings.RerankMs, 2));
        return TypedResults.Ok(new QueryResponse(ranked, timings));
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;

    private static async Task<byte[]> ReadAllAsync(IFormFile file, CancellationToken cancellationToken)
    {
        var bytes = new byte[file.Length];
        await using var stream = file.OpenReadStream();
        await stream.ReadExactlyAsync(bytes, cancellationToken);
        return bytes;
    }
}

/// <summary>Models ranked best first, and where the time went.</summary>
public sealed record QueryResponse(IReadOnlyList<QueryResultItem> Results, QueryTimingsResponse Timings);

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
