using System.Globalization;
using System.Text.Json;
using Know2Vec.Core.Catalog;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

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
            .WithSummary("One model by catalog id (\"{zooId}:{name}\"), with its labels and indexing status.");
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

    internal static async Task<Results<Ok<ModelResponse>, ProblemHttpResult>> GetModel(string id, [FromServices] ICatalog catalog, CancellationToken cancellationToken)
    {
        var model = await catalog.GetModelAsync(id, cancellationToken);
        return model is null
            ? TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Model not found", detail: $"There is no model with id '{id}' (ids are \"{{zooId}}:{{name}}\").")
            : TypedResults.Ok(ModelResponse.From(model));
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
    DateTimeOffset UpdatedAt)
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
