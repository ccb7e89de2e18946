using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Know2Vec.Core.Catalog;
using Know2Vec.Core.Imaging;
using Know2Vec.Core.Zoo;

namespace Know2Vec.Core.Inference;

/// <summary>The model does not exist in the catalog.</summary>
public sealed class ModelNotFoundException(string modelId) : Exception($"There is no model with id '{modelId}'.")
{
    public string ModelId { get; } = modelId;
}

/// <summary>The model exists but cannot be run now (not indexed, file gone or changed, input unusable); the message says why.</summary>
public sealed class ModelNotRunnableException(string modelId, string reason) : Exception($"Model '{modelId}' cannot be run: {reason}.")
{
    public string ModelId { get; } = modelId;
}

/// <summary>One image's most probable classes.</summary>
public sealed record ImagePrediction(int Index, IReadOnlyList<(string Label, float Probability)> Top);

/// <summary>What a model predicted for a caller's images, and how long the forward pass took.</summary>
public sealed record ModelPredictions(ModelRecord Model, IReadOnlyList<ImagePrediction> Images, double Milliseconds);

/// <summary>How a model's input is fed, as the service really does it (the declaration resolved against the file).</summary>
public sealed record EffectivePreprocessing(
    string Layout, int Channels, int Height, int Width, float RangeMin, float RangeMax, IReadOnlyList<float>? Mean, IReadOnlyList<float>? Std, string Resize, string Colour);

/// <summary>
/// Runs catalogued models the way indexing does — one session per file, fed as the manifest declares —
/// for the reranker and for "try this model" predictions.
/// </summary>
public sealed class ModelRunner(ICatalog catalog, ClassifierCache classifiers)
{
    /// <summary>The classifier of <paramref name="model"/>'s file under <paramref name="zooRoot"/>, or null when the file is gone.</summary>
    /// <exception cref="ModelInputNotSupportedException">The file's input contradicts the declaration.</exception>
    /// <exception cref="InvalidDataException">The file is no longer the one that was indexed.</exception>
    public OnnxClassifier? ClassifierFor(ModelRecord model, string zooRoot)
    {
        var path = ManifestValidator.ResolveUnderRoot(zooRoot, model.File);
        return path is null || !File.Exists(path) ? null : classifiers.Get(path, model.Sha256, DeclaredInput(model));
    }

    /// <summary>Runs an indexed model on <paramref name="images"/>; per image its <paramref name="topK"/> most probable classes (softmax of its outputs).</summary>
    /// <exception cref="ModelNotFoundException">No such model.</exception>
    /// <exception cref="ModelNotRunnableException">The model is not indexed, or its file cannot be run.</exception>
    public async Task<ModelPredictions> PredictAsync(string modelId, IReadOnlyList<RasterImage> images, int topK, CancellationToken cancellationToken)
    {
        var model = await catalog.GetModelAsync(modelId, cancellationToken) ?? throw new ModelNotFoundException(modelId);
        if (model.Status != ModelStatus.Indexed)
        {
            throw new ModelNotRunnableException(modelId, model.Status == ModelStatus.Failed
                ? $"its indexing failed ({model.FailureReason})"
                : $"it is {model.Status.ToString().ToLowerInvariant()}; try again once it is indexed");
        }

        var zoo = await catalog.GetZooAsync(model.ZooId, cancellationToken) ?? throw new ModelNotFoundException(modelId);
        OnnxClassifier classifier;
        try
        {
            classifier = ClassifierFor(model, zoo.RootDirectory) ?? throw new ModelNotRunnableException(modelId, "its file is no longer in its zoo");
        }
        catch (Exception e) when (e is ModelInputNotSupportedException or ModelOutputNotSupportedException or InvalidDataException)
        {
            throw new ModelNotRunnableException(modelId, e.Message.TrimEnd('.'));
        }

        var started = Stopwatch.GetTimestamp();
        var logits = classifier.Predict(images, cancellationToken);
        var milliseconds = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        var predictions = logits.Select((row, i) =>
        {
            var probabilities = OnnxClassifier.Softmax(row);
            var top = Enumerable.Range(0, probabilities.Length)
                .OrderByDescending(c => probabilities[c]).ThenBy(c => c)
                .Take(topK)
                .Select(c => (c < model.Labels.Count ? model.Labels[c] : $"output {c}", probabilities[c]))
                .ToArray();
            return new ImagePrediction(i, top);
        }).ToArray();
        return new ModelPredictions(model, predictions, milliseconds);
    }

    // Reading a file's graph costs a full parse (tens of MB for ResNet-class models): once per file version and declaration.
    private readonly ConcurrentDictionary<(string Path, string Sha256, string Input), EffectivePreprocessing> _preprocessing = new();

    /// <summary>How the service feeds the model, read from its file without running it; null when the file is gone or unreadable.</summary>
    public EffectivePreprocessing? Preprocessing(ModelRecord model, string zooRoot)
    {
        var path = ManifestValidator.ResolveUnderRoot(zooRoot, model.File);
        if (path is null || !File.Exists(path))
        {
            return null;
        }

        var key = (path, model.Sha256, model.InputJson);
        if (_preprocessing.TryGetValue(key, out var known))
        {
            return known;
        }

        var described = Describe(model, path);
        if (described is not null)
        {
            _preprocessing[key] = described;
        }

        return described;
    }

    private static EffectivePreprocessing? Describe(ModelRecord model, string path)
    {
        try
        {
            if (OnnxModelFile.Read(path).Inputs is not [var input])
            {
                return null;
            }

            var declared = DeclaredInput(model);
            var spec = ModelInputResolver.Resolve(input.Name, input.Dimensions, input.SymbolicNames, declared, long.MaxValue);
            return new EffectivePreprocessing(
                spec.Layout.ToString().ToUpperInvariant(), spec.Channels, spec.Height, spec.Width, declared.Range[0], declared.Range[1],
                declared.Mean, declared.Std,
                $"bilinear, the whole image to {spec.Width}×{spec.Height} (no crop)",
                spec.Channels == 1
                    ? "grey (a colour image's BT.601 luma)"
                    : (string.Equals(declared.Channels, "bgr", StringComparison.OrdinalIgnoreCase) ? "blue, green, red" : "red, green, blue")
                        + " (a grey image repeated in every channel)");
        }
        catch (Exception e) when (e is InvalidDataException or IOException or ModelInputNotSupportedException)
        {
            return null;
        }
    }

    private static ManifestInput DeclaredInput(ModelRecord model) =>
        JsonSerializer.Deserialize<ManifestInput>(model.InputJson, ManifestValidator.JsonOptions)!;
}
