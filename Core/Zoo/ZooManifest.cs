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
/// <param name="Shape">The input's shape without the batch, in the file's order.</param>
/// <param name="Range">[min, max]: pixel intensities 0..1 are mapped onto it (before mean/std).</param>
/// <param name="Layout">NCHW, NHWC or flat; inferred from the file when absent.</param>
/// <param name="Polarity">How the training images look (documentation only).</param>
/// <param name="Channels">rgb (default for 3 channels), bgr, or gray (1 channel).</param>
/// <param name="Mean">Per-channel mean subtracted after the range mapping, in the range's units (e.g. ImageNet's).</param>
/// <param name="Std">Per-channel standard deviation divided by after subtracting <paramref name="Mean"/>.</param>
public sealed record ManifestInput(
    IReadOnlyList<int> Shape,
    IReadOnlyList<float> Range,
    string? Layout = null,
    string? Polarity = null,
    string? Channels = null,
    IReadOnlyList<float>? Mean = null,
    IReadOnlyList<float>? Std = null)
{
    /// <summary>The declared value range as a pair.</summary>
    [JsonIgnore]
    public (float Min, float Max) ValueRange => (Range[0], Range[1]);
}
