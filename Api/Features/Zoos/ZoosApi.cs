using System.Text;
using Know2Vec.Api.Hosting;
using Know2Vec.Core.Catalog;
using Know2Vec.Core.Zoo;
using Know2Vec.Hosting;
using Know2Vec.Hosting.Jobs;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Know2Vec.Api.Features.Zoos;

/// <summary>Register, inspect and delete zoos. Writes need the API key.</summary>
public static partial class ZoosApi
{
    private const string LogCategory = "Know2Vec.Api.Zoos";

    public static IEndpointRouteBuilder MapZoosApi(this IEndpointRouteBuilder app)
    {
        var zoos = app.MapGroup("/zoos").WithTags("Zoos");
        zoos.MapGet("/", ListZoos).WithName("ListZoos").WithSummary("All zoos with their indexing progress.");
        zoos.MapGet("/{id}", GetZoo).WithName("GetZoo").WithSummary("One zoo with its indexing progress.");

        var writes = zoos.MapGroup("/")
            .AddEndpointFilter<ApiKeyEndpointFilter>()
            .WithMetadata(new RequiresApiKeyMetadata())
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden);
        writes.MapPost("/", RegisterZoo)
            .WithName("RegisterZoo")
            .WithSummary("Registers a zoo and queues its indexing.")
            .WithDescription("Either a JSON manifest whose model files lie under Know2Vec:ZooRoot, or multipart/form-data with "
                + "a 'manifest' field (text or file) and the .onnx files, each named as its manifest entry's \"file\". "
                + "The zoo id is the slug of the manifest name.")
            .WithMetadata(new ZooRegistrationBodyMetadata()) // documents both bodies; Accepts() would restrict routing to one
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .DisableAntiforgery();
        writes.MapDelete("/{id}", DeleteZoo).WithName("DeleteZoo").WithSummary("Deletes a zoo, its models and their vectors.");
        return app;
    }

    internal static async Task<Ok<ZooResponse[]>> ListZoos([FromServices] ICatalog catalog, CancellationToken cancellationToken)
    {
        var zoos = await catalog.ListZoosWithStatusAsync(cancellationToken); // one read, however many zoos
        return TypedResults.Ok(zoos.Select(z => ZooResponse.From(z.Zoo, z.Counts)).ToArray());
    }

    internal static async Task<Results<Ok<ZooResponse>, ProblemHttpResult>> GetZoo(string id, [FromServices] ICatalog catalog, CancellationToken cancellationToken)
    {
        var zoo = await catalog.GetZooAsync(id, cancellationToken);
        var counts = zoo is null ? null : await catalog.GetZooStatusAsync(id, cancellationToken);
        return zoo is null || counts is null ? ZooNotFound(id) : TypedResults.Ok(ZooResponse.From(zoo, counts));
    }

    internal static async Task<Results<Accepted<ZooRegisteredResponse>, ProblemHttpResult>> RegisterZoo(
        HttpRequest request,
        [FromServices] ZooRegistry registry,
        [FromServices] ZooUploads uploads,
        [FromServices] IIndexingScheduler scheduler,
        [FromServices] Know2VecPaths paths,
        [FromServices] IOptions<ApiOptions> options,
        [FromServices] ILoggerFactory loggers,
        CancellationToken cancellationToken)
    {
        ZooRegistration registration;
        if (request.HasFormContentType)
        {
            registration = await uploads.RegisterAsync(await FormReading.ReadFormAsync(request, cancellationToken), cancellationToken);
        }
        else if (request.HasJsonContentType())
        {
            var json = await ReadLimitedAsync(request, options.Value.Limits.MaxManifestBytes, cancellationToken) ?? throw new ManifestTooLargeException();
            registration = await registry.RegisterAsync(json, paths.ZooRoot, cancellationToken);
        }
        else
        {
            return TypedResults.Problem(
                statusCode: StatusCodes.Status415UnsupportedMediaType,
                title: "Unsupported content type",
                detail: "Send the manifest as application/json, or the manifest and its .onnx files as multipart/form-data.");
        }

        var zooId = registration.Zoo.Id;
        var jobId = scheduler.EnqueueIndexZoo(zooId);
        LogRegistered(loggers.CreateLogger(LogCategory), zooId, registration.Models.Count, jobId);
        return TypedResults.Accepted($"/zoos/{zooId}", new ZooRegisteredResponse(zooId, jobId, registration.Models.Select(m => m.Id).ToArray()));
    }

    internal static async Task<Results<NoContent, ProblemHttpResult>> DeleteZoo(
        string id, [FromServices] ZooDeletion deletion, [FromServices] ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        if (!await deletion.DeleteAsync(id, cancellationToken))
        {
            return ZooNotFound(id);
        }
        LogDeleted(loggers.CreateLogger(LogCategory), id);
        return TypedResults.NoContent();
    }

    private static ProblemHttpResult ZooNotFound(string id) => TypedResults.Problem(
        statusCode: StatusCodes.Status404NotFound,
        title: "Zoo not found",
        detail: $"There is no zoo with id '{id}'.");

    /// <summary>The body as UTF-8 text, or null when it is longer than <paramref name="limit"/> bytes.</summary>
    private static async Task<string?> ReadLimitedAsync(HttpRequest request, int limit, CancellationToken cancellationToken)
    {
        if (request.ContentLength > limit)
        {
            return null;
        }
        var buffer = new byte[limit + 1];
        var read = 0;
        while (read < buffer.Length)
        {
            var n = await request.Body.ReadAsync(buffer.AsMemory(read), cancellationToken);
            if (n == 0)
            {
                break;
            }
            read += n;
        }
        return read > limit ? null : Encoding.UTF8.GetString(buffer, 0, read);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Registered zoo {ZooId} with {Models} models; indexing job {JobId}")]
    private static partial void LogRegistered(ILogger logger, string zooId, int models, string jobId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Deleted zoo {ZooId}")]
    private static partial void LogDeleted(ILogger logger, string zooId);
}
