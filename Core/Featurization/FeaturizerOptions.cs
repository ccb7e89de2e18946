using System.ComponentModel.DataAnnotations;

namespace Know2Vec.Core.Featurization;

/// <summary>
/// Featurizer settings (section <c>Know2Vec:Featurizer</c>). Changing the normalisation changes
/// every feature: models indexed under one setting must be re-featurized under another.
/// </summary>
public sealed class FeaturizerOptions
{
    public const string SectionName = "Know2Vec:Featurizer";

    /// <summary>
    /// Map x → 1 − x before encoding grey images. Our grey images are white-on-black (Fashion-MNIST
    /// style); ImageNet-like dark-on-light raised retrieval top-1 from 0.63 to 0.90 in the feasibility
    /// run. Colour images are never inverted (they are photos and drawings as ImageNet's are).
    /// </summary>
    public bool InvertPolarity { get; set; } = true;

    /// <summary>
    /// Multiplier from 0..1 intensities to the preprocessing graph's input range. The graph expects
    /// 0..255 (it subtracts a mean image of ~114); feeding 0..1 makes all features nearly identical.
    /// </summary>
    [Range(1e-6, 1e6)]
    public float InputScale { get; set; } = 255f;

    /// <summary>Images per ONNX Runtime call.</summary>
    [Range(1, 1024)]
    public int BatchSize { get; set; } = 32;

    /// <summary>Folder with ResNet18.onnx and ResNetPreprocess.onnx; default: Featurizer/ beside the application.</summary>
    public string? ModelDirectory { get; set; }
}
