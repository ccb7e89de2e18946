using System.Text.Json;

namespace Know2Vec.Core.Catalog;

/// <summary>
/// Argument checks every <see cref="ICatalog"/> implementation applies before touching storage,
/// so all backends refuse the same inputs with the same messages.
/// </summary>
public static class CatalogValidation
{
    public static void ValidateZoo(ZooRecord zoo, IReadOnlyList<ModelRecord> models)
    {
        ArgumentNullException.ThrowIfNull(zoo);
        ArgumentNullException.ThrowIfNull(models);
        if (!ZooRecord.IsValidId(zoo.Id))
        {
            throw new ArgumentException($"Zoo id '{zoo.Id}' is not a slug matching {ZooRecord.IdPattern}.", nameof(zoo));
        }
        RequireText(zoo.Name, "zoo.Name");
        RequireText(zoo.Version, "zoo.Version");
        RequireText(zoo.RootDirectory, "zoo.RootDirectory");

        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < models.Count; i++)
        {
            var model = models[i] ?? throw new ArgumentException($"models[{i}] is null.", nameof(models));
            ValidateModel(model, $"models[{i}]");
            if (!string.Equals(model.ZooId, zoo.Id, StringComparison.Ordinal))
            {
                throw new ArgumentException($"models[{i}] ('{model.Id}') belongs to zoo '{model.ZooId}', not '{zoo.Id}'.", nameof(models));
            }
            if (!names.Add(model.Name))
            {
                throw new ArgumentException($"models[{i}]: model id '{model.Name}' appears twice in zoo '{zoo.Id}'.", nameof(models));
            }
        }
    }

    private static void ValidateModel(ModelRecord model, string name)
    {
        RequireText(model.Name, $"{name}.Name");
        var expectedId = ModelRecord.MakeId(model.ZooId, model.Name);
        if (!string.Equals(model.Id, expectedId, StringComparison.Ordinal))
        {
            throw new ArgumentException($"{name}.Id is '{model.Id}'; it must be '{expectedId}' (\"{{zooId}}:{{name}}\").", name);
        }
        RequireText(model.File, $"{name}.File");
        RequireText(model.Sha256, $"{name}.Sha256");
        RequireText(model.Architecture, $"{name}.Architecture");
        if (model.License is null)
        {
            throw new ArgumentException($"{name}.License is null.", name);
        }
        if (model.Parameters < 0)
        {
            throw new ArgumentException($"{name}.Parameters is negative ({model.Parameters}).", name);
        }
        RequireStrings(model.Labels, $"{name}.Labels");
        RequireStrings(model.Tags, $"{name}.Tags");
        RequireJsonObject(model.InputJson, $"{name}.InputJson", required: true);
        RequireJsonObject(model.MetadataJson, $"{name}.MetadataJson", required: false);
        ValidateStatus(model.Status, model.FailureReason);
    }

    public static void ValidateStatus(ModelStatus status, string? failureReason)
    {
        if (!Enum.IsDefined(status))
        {
            throw new ArgumentException($"Unknown model status {(int)status}.", nameof(status));
        }
        // A reason on a non-failed model would be stale the moment it is written.
        if (failureReason is not null && status != ModelStatus.Failed)
        {
            throw new ArgumentException($"A failure reason is only stored with status {ModelStatus.Failed}, not {status}.", nameof(failureReason));
        }
    }

    private static void RequireText(string? value, string name)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new ArgumentException($"{name} is required.", name);
        }
    }

    private static void RequireStrings(IReadOnlyList<string>? values, string name)
    {
        if (values is null)
        {
            throw new ArgumentException($"{name} is null.", name);
        }
        for (var i = 0; i < values.Count; i++)
        {
            if (values[i] is null)
            {
                throw new ArgumentException($"{name}[{i}] is null.", name);
            }
        }
    }

    // Checked here so that SQLite (TEXT) and PostgreSQL (jsonb) refuse the same inputs.
    private static void RequireJsonObject(string? json, string name, bool required)
    {
        if (json is null)
        {
            if (required)
            {
                throw new ArgumentException($"{name} is required.", name);
            }
            return;
        }
        try
        {
            using var document = JsonDocument.Parse(json);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new ArgumentException($"{name} must be a JSON object, not {document.RootElement.ValueKind}.", name);
            }
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"{name} is not valid JSON: {e.Message}", name, e);
        }
    }
}
