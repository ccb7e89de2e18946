using System.Globalization;
using System.Text.Json;
using Know2Vec.Api.Hosting;
using Know2Vec.Core.Catalog;
using Know2Vec.Core.Imaging;
using Know2Vec.Core.Inference;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Know2Vec.Api.Features.Models;

/// <summary>Browse the catalogued models.</summary>
public static class ModelsApi
{
    public static IEndpointRouteBuilder MapModelsApi(this IEndpointRouteBuilder app)
    {
        var models = app.MapGroup("/models").WithTags("Models");
        models.MapGet("/", ListModels).WithName("ListModels")
            .WithSummary("Models that pass every given filter (zoo, architecture and tag match exactly; maxParameters is inclusive).");
        models.MapGet("/{id}", GetModel).WithName("GetModel")
            .WithSummary("One model by catalog id (\"{zooId}:{name}\"), with its labels, indexing status and effective preprocessing.");
        models.MapPost("/{id}/predictions", Predict).WithName("Predict")
            .WithSummary("Try this model: runs it on the posted images and returns each image's most probable classes.")
            .WithDescription("multipart/form-data: 'images' (one or more PNG/JPEG files; the same limits as queries) and optional 'topK' "
                + "(classes per image, default 3). The model runs exactly as indexing runs it: its file, fed as its manifest declares.")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .RequireRateLimiting(ApiHostingExtensions.AdmissionPolicy)
            .DisableAntiforgery();
        return app;
    }

    internal static async Task<Results<Ok<ModelResponse[]>, ValidationProblem>> ListModels(
        [FromQuery] string? zoo,
        [FromQuery] string? architecture,
        [FromQuery] string? tag,
        [FromQuery] string? maxParameters,
        [FromServices] ICatalog catalog,
        CancellationToken cancellationToken)
    {
        if (!TryParseMaxParameters(maxParameters, out var max, out var error))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["maxParameters"] = [error] });
        }
        var models = await catalog.ListModelsAsync(new ModelFilter(zoo, architecture, tag, max), cancellationToken);
        return TypedResults.Ok(models.Select(ModelResponse.From).ToArray());
    }

    internal static async Task<Ok<ModelResponse>> GetModel(string id, [FromServices] ICatalog catalog, [FromServices] ModelRunner runner, CancellationToken cancellationToken)
    {
        var model = await catalog.GetModelAsync(id, cancellationToken) ?? throw new ModelNotFoundException(id);
        var zoo = await catalog.GetZooAsync(model.ZooId, cancellationToken) ?? throw new ModelNotFoundException(id);
        return TypedResults.Ok(ModelResponse.From(model) with { Preprocessing = runner.Preprocessing(model, zoo.RootDirectory) });
    }

    internal static async Task<Ok<PredictionsResponse>> Predict(
        string id,
        [AsParameters] PredictionForm form,
        [FromServices] ImageDecoder decoder,
        [FromServices] ModelRunner runner,
        [FromServices] IOptions<ApiOptions> options,
        CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var files = FormReading.ImageFiles(form.Images, options.Value.Limits, errors);
        if (files.Count == 0)
        {
            errors["images"] = ["Send at least one image (PNG or JPEG) as a form file named 'images'."];
        }

        var topK = FormReading.WholeNumber(form.TopK, "topK", PredictionForm.DefaultTopK, errors);
        if (topK < 1)
        {
            errors["topK"] = [$"topK must be a whole number from 1; got {topK}."];
        }

        FormReading.ThrowIfAny(errors);
        var images = await FormReading.DecodeAsync(files, decoder, errors, cancellationToken);
        FormReading.ThrowIfAny(errors);

        var result = await runner.PredictAsync(id, images, topK, cancellationToken);
        return TypedResults.Ok(new PredictionsResponse(
            result.Model.Id,
            result.Images.Select(p => new ImagePredictionResponse(
                p.Index, files[p.Index].FileName, p.Top.Select(t => new ClassProbabilityResponse(t.Label, Math.Round(t.Probability, 4))).ToArray())).ToArray(),
            Math.Round(result.Milliseconds, 2)));
    }

    /// <summary>Parses the optional maxParameters filter (a non-negative integer); shared with queries.</summary>
    internal static bool TryParseMaxParameters(string? text, out long? value, out string error)
    {
        value = null;
        error = "";
        if (string.IsNullOrWhiteSpace(text))
        {
            return true;
        }
        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
        {
            value = parsed;
            return true;
        }
        error = $"'{text}' is not a non-negative whole number of parameters.";
        return false;
    }
}

/// <summary>A catalogued model.</summary>
/// <param name="Id">Catalog id, "{zooId}:{name}".</param>
/// <param name="ZooId">Its zoo.</param>
/// <param name="Name">Its id within the zoo's manifest.</param>
/// <param name="File">Its .onnx file, relative to the zoo.</param>
/// <param name="Sha256">The file's SHA-256 from the manifest.</param>
/// <param name="Architecture">Architecture name.</param>
/// <param name="Parameters">Parameter count.</param>
/// <param name="Labels">Class labels in output order.</param>
/// <param name="Tags">Tags.</param>
/// <param name="License">License.</param>
/// <param name="Input">The manifest's input description (shape, range, layout, polarity).</param>
/// <param name="Metadata">The manifest's optional fields (trainedOn, accuracy), when given.</param>
/// <param name="Status">pending, indexing, indexed or failed.</param>
/// <param name="FailureReason">Why indexing failed.</param>
/// <param name="UpdatedAt">Last change of the record or its status.</param>
/// <param name="Preprocessing">How the service feeds the model (its declaration resolved against its file); on GET /models/{id} only.</param>
public sealed record ModelResponse(
    string Id,
    string ZooId,
    string Name,
    string File,
    string Sha256,
    string Architecture,
    long Parameters,
    IReadOnlyList<string> Labels,
    IReadOnlyList<string> Tags,
    string License,
    JsonElement Input,
    JsonElement? Metadata,
    string Status,
    string? FailureReason,
    DateTimeOffset UpdatedAt,
    EffectivePreprocessing? Preprocessing = null)
{
    internal static ModelResponse From(ModelRecord model) => new(
        model.Id, model.ZooId, model.Name, model.File, model.Sha256, model.Architecture, model.Parameters,
        model.Labels, model.Tags, model.License,
        ParseJson(model.InputJson),
        model.MetadataJson is null ? null : ParseJson(model.MetadataJson),
        StatusName(model.Status),
        model.FailureReason,
        model.UpdatedAt);

    /// <summary>The wire name of a status.</summary>
    internal static string StatusName(ModelStatus status) => status switch
    {
        ModelStatus.Pending => "pending",
        ModelStatus.Indexing => "indexing",
        ModelStatus.Indexed => "indexed",
        ModelStatus.Failed => "failed",
        _ => status.ToString().ToLowerInvariant(),
    };

    private static JsonElement ParseJson(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }
}

/// <summary>The form of <c>POST /models/{id}/predictions</c>.</summary>
internal sealed class PredictionForm
{
    public const int DefaultTopK = 3;

    /// <summary>All uploaded files; those named "images" are run (binding a file collection takes no name).</summary>
    public required IFormFileCollection Images { get; init; }

    /// <summary>Classes per image, default 3.</summary>
    [FromForm(Name = "topK")]
    public string? TopK { get; init; }
}

/// <summary>What a model predicted for each posted image, and how long its forward pass took.</summary>
/// <param name="ModelId">The model that ran.</param>
/// <param name="Predictions">One entry per image, in the order posted.</param>
/// <param name="Milliseconds">The forward pass over all images (the first call for a model also creates its session).</param>
public sealed record PredictionsResponse(string ModelId, IReadOnlyList<ImagePredictionResponse> Predictions, double Milliseconds);

/// <summary>One image's most probable classes, best first.</summary>
public sealed record ImagePredictionResponse(int Index, string FileName, IReadOnlyList<ClassProbabilityResponse> Top);

/// <summary>A class of the model and its softmax probability.</summary>
public sealed record ClassProbabilityResponse(string Label, double Probability);
