using System.Text.Json;
using System.Text.Json.Serialization;

namespace Know2Vec.Core.Zoo;

/// <summary>A zoo manifest as registered by an operator (schema: zoo-manifests/manifest.schema.json).</summary>
public sealed record ZooManifest(
    string Name,
    string Version,
    string? Description,
    IReadOnlyList<ManifestModel> Models);

/// <summary>One model entry of a manifest.</summary>
public sealed record ManifestModel(
    string Id,
    string File,
    string Sha256,
    string Architecture,
    long? Parameters,
    ManifestInput Input,
    IReadOnlyList<string> Labels,
    IReadOnlyList<string> Tags,
    string License,
    JsonElement? TrainedOn = null,
    double? Accuracy = null);

/// <summary>What the model expects as input: shape without the batch dimension, and value range.</summary>
public sealed record ManifestInput(
    IReadOnlyList<int> Shape,
    IReadOnlyList<float> Range,
    string? Layout = null,
    string? Polarity = null)
{
    /// <summary>The declared value range as a pair.</summary>
    [JsonIgnore]
    public (float Min, float Max) ValueRange => (Range[0], Range[1]);
}
