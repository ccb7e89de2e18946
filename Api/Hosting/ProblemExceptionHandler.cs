using Know2Vec.Api.Features.Zoos;
using Know2Vec.Core.Imaging;
using Know2Vec.Core.Inference;
using Know2Vec.Core.Querying;
using Know2Vec.Core.Zoo;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Know2Vec.Api.Hosting;

/// <summary>
/// The one place where exceptions become RFC 7807 ProblemDetails: the refusals handlers and services
/// throw (invalid manifest, upload or query, a taken zoo id), what happens before a handler runs (form
/// and body limits, binding), and the safety net for the rest (500). Handlers do not catch. Exception
/// text never reaches the client unless the exception type is one written for clients; the exception goes to the log.
/// </summary>
internal sealed partial class ProblemExceptionHandler(
    IProblemDetailsService problemDetails,
    IOptions<ApiOptions> options,
    ILogger<ProblemExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is OperationCanceledException && httpContext.RequestAborted.IsCancellationRequested)
        {
            return true; // the client went away: nobody to answer
        }

        var problem = ToProblem(exception, options.Value.Limits);
        if (problem.Status >= StatusCodes.Status500InternalServerError)
        {
            LogUnhandled(logger, exception, httpContext.Request.Method, httpContext.Request.Path);
        }
        else
        {
            LogRejected(logger, httpContext.Request.Method, httpContext.Request.Path, problem.Status ?? 400, exception.GetType().Name);
        }

        httpContext.Response.StatusCode = problem.Status ?? StatusCodes.Status500InternalServerError;
        return await problemDetails.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            ProblemDetails = problem,
            Exception = exception,
        });
    }

    internal static ProblemDetails ToProblem(Exception exception, Know2VecLimits limits) => exception switch
    {
        // Form limits (FormOptions) throw InvalidDataException naming the limit; Kestrel's body limit a 413
        // BadHttpRequestException. Other InvalidDataExceptions are a malformed body (e.g. no boundary).
        InvalidDataException data when IsFormLimit(data) => TooLarge(limits),
        BadHttpRequestException { InnerException: InvalidDataException data } when IsFormLimit(data) => TooLarge(limits),
        BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } => TooLarge(limits),
        InvalidDataException or BadHttpRequestException { InnerException: InvalidDataException } => MalformedBody(),
        BadHttpRequestException bad => new ProblemDetails
        {
            Status = bad.StatusCode,
            Title = "The request could not be read",
            Detail = bad.StatusCode == StatusCodes.Status415UnsupportedMediaType
                ? "The request's content type is not accepted by this endpoint."
                : "A parameter is missing or malformed, or the body is not what this endpoint expects.",
        },
        ManifestValidationException invalid => ManifestProblems(invalid),
        ZooAlreadyExistsException exists => ZooExists(exists.ZooId),
        ManifestTooLargeException => TooLarge(limits),
        UploadRejectedException upload => Invalid("The upload is invalid", new Dictionary<string, string[]> { [upload.Field] = [upload.Message] }),
        InvalidRequestException request => Invalid("The request is invalid", request.Errors),
        ModelNotFoundException missing => new ProblemDetails
        {
            Status = StatusCodes.Status404NotFound,
            Title = "Model not found",
            Detail = $"There is no model with id '{missing.ModelId}' (ids are \"{{zooId}}:{{name}}\").",
        },
        ModelNotRunnableException notRunnable => new ProblemDetails
        {
            Status = StatusCodes.Status409Conflict,
            Title = "The model cannot be run",
            Detail = notRunnable.Message,
        },
        InvalidQueryException query => Invalid("The query is invalid", query.Errors),
        ImageDecodeException image => Invalid("An image could not be used", new Dictionary<string, string[]> { ["images"] = [image.Message] }),
        _ => new ProblemDetails
        {
            Status = StatusCodes.Status500InternalServerError,
            Title = "Unexpected error",
            Detail = "The server could not complete the request. Its log has the details under this trace id.",
        },
    };

    /// <summary>400 naming every problem by its field.</summary>
    private static HttpValidationProblemDetails Invalid(string title, IReadOnlyDictionary<string, string[]> errors) =>
        new(errors.ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal))
        {
            Status = StatusCodes.Status400BadRequest,
            Title = title,
        };

    /// <summary>ASP.NET's form reader names the limit it enforced ("Multipart body length limit … exceeded").</summary>
    private static bool IsFormLimit(InvalidDataException e) => e.Message.Contains("limit", StringComparison.OrdinalIgnoreCase);

    /// <summary>400 for a multipart body that cannot be read: no boundary, cut off, or not multipart at all.</summary>
    internal static ProblemDetails MalformedBody() => new()
    {
        Status = StatusCodes.Status400BadRequest,
        Title = "The request body could not be read",
        Detail = "The body is not well-formed multipart/form-data: a boundary is missing, a part is cut off, or the body ended early.",
    };

    /// <summary>413 for a body over the configured limits.</summary>
    internal static ProblemDetails TooLarge(Know2VecLimits limits) => new()
    {
        Status = StatusCodes.Status413PayloadTooLarge,
        Title = "Request too large",
        Detail = $"The request exceeds a size limit: at most {limits.MaxUploadBytes} bytes per request "
            + $"(Know2Vec:Limits:MaxUploadBytes) and {limits.MaxManifestBytes} bytes per manifest (Know2Vec:Limits:MaxManifestBytes).",
    };

    /// <summary>400 naming every problem by its JSON location in the manifest ("manifest" for the document itself).</summary>
    internal static HttpValidationProblemDetails ManifestProblems(ManifestValidationException invalid) =>
        new(invalid.Problems
            .GroupBy(p => p.Location.Length == 0 ? "manifest" : p.Location, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(p => p.Message).ToArray(), StringComparer.Ordinal))
        {
            Status = StatusCodes.Status400BadRequest,
            Title = "The zoo manifest is invalid",
        };

    /// <summary>409 for a zoo id that is taken.</summary>
    internal static ProblemDetails ZooExists(string zooId) => new()
    {
        Status = StatusCodes.Status409Conflict,
        Title = "Zoo already registered",
        Detail = $"A zoo with id '{zooId}' (the slug of the manifest name) is already registered. Delete it first, or give the manifest another name.",
    };

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled error in {Method} {Path}")]
    private static partial void LogUnhandled(ILogger logger, Exception exception, string method, string path);

    [LoggerMessage(Level = LogLevel.Information, Message = "Rejected {Method} {Path} with {Status} ({Reason})")]
    private static partial void LogRejected(ILogger logger, string method, string path, int status, string reason);
}
