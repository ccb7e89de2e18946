using System.Security.Cryptography;
using System.Text.Json;
using Know2Vec.Core.Alignment;
using Know2Vec.Core.Catalog;
using Know2Vec.Core.Inference;
using Know2Vec.Core.Probing;
using Know2Vec.Core.Vectors;
using Know2Vec.Core.Zoo;
using Microsoft.Extensions.Logging;
using Microsoft.ML.OnnxRuntime;

namespace Know2Vec.Core.Indexing;

/// <summary>
/// Indexes one model: file checks, black-box probing, knowledge tensor to the catalog, model
/// vector to the index. Reasons that belong to the model (its file, its input, its outputs) mark
/// it failed; everything else propagates for the job runner to retry.
/// </summary>
public sealed partial class ModelIndexer(
    ICatalog catalog,
    IVectorIndex index,
    OnnxSessionFactory sessions,
    ModelProber prober,
    IAlignment alignment,
    ILogger<ModelIndexer> logger) : IModelIndexer
{
    /// <inheritdoc/>
    public string AlignmentVersion => alignment.Version;

    /// <inheritdoc/>
    public async Task<bool> ReencodeAsync(string modelId, CancellationToken cancellationToken)
    {
        var model = await catalog.GetModelAsync(modelId, cancellationToken);
        if (model is not { Status: ModelStatus.Indexed }
            || (await index.GetAsync(modelId, cancellationToken))?.Payload.AlignmentVersion == alignment.Version
            || await catalog.GetKnowledgeAsync(modelId, cancellationToken) is not { } knowledge)
        {
            return false;
        }

        await UpsertAsync(model, knowledge, cancellationToken);
        return true;
    }

    /// <inheritdoc/>
    public async Task IndexModelAsync(string modelId, CancellationToken cancellationToken)
    {
        var model = await catalog.GetModelAsync(modelId, cancellationToken);
        var zoo = model is null ? null : await catalog.GetZooAsync(model.ZooId, cancellationToken);
        if (model is null || zoo is null)
        {
            LogGone(modelId);
            return;
        }

        await catalog.SetModelStatusAsync(modelId, ModelStatus.Indexing, null, cancellationToken);
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            var knowledge = Probe(model, zoo.RootDirectory, cancellationToken);
            if (!knowledge.Reached.Any(r => r))
            {
                throw new ModelRejectedException("the model assigned no probe image to any class");
            }

            if (!await catalog.SaveKnowledgeAsync(modelId, knowledge, cancellationToken))
            {
                LogGone(modelId);
                return;
            }

            await UpsertAsync(model, knowledge, cancellationToken);
            if (!await catalog.SetModelStatusAsync(modelId, ModelStatus.Indexed, null, cancellationToken))
            {
                // The zoo was deleted while this model was probed: its vector must not outlive it.
                await index.DeleteAsync([modelId], cancellationToken);
                LogGone(modelId);
                return;
            }

            LogIndexed(modelId, knowledge.Reached.Count(r => r), knowledge.Classes, System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        catch (ModelRejectedException e)
        {
            // A model indexed before (its file has changed since) must stop being recommended.
            LogFailed(modelId, e.Message);
            await index.DeleteAsync([modelId], cancellationToken);
            await catalog.SetModelStatusAsync(modelId, ModelStatus.Failed, e.Message, cancellationToken);
        }
    }

    private Task UpsertAsync(ModelRecord model, Knowledge.KnowledgeTensor knowledge, CancellationToken cancellationToken)
    {
        var payload = new VectorPayload(model.ZooId, model.Architecture, model.Tags, model.Parameters, alignment.Version);
        return index.UpsertAsync([new VectorPoint(model.Id, alignment.EncodeModel(knowledge), payload)], cancellationToken);
    }

    private Knowledge.KnowledgeTensor Probe(ModelRecord model, string zooRoot, CancellationToken cancellationToken)
    {
        var path = ManifestValidator.ResolveUnderRoot(zooRoot, model.File)
            ?? throw new ModelRejectedException($"file '{model.File}' escapes the zoo root");
        if (!File.Exists(path))
        {
            throw new ModelRejectedException($"file '{model.File}' not found");
        }

        string actual;
        using (var stream = File.OpenRead(path))
        {
            actual = Convert.ToHexStringLower(SHA256.HashData(stream));
        }

        if (!string.Equals(actual, model.Sha256, StringComparison.OrdinalIgnoreCase))
        {
            throw new ModelRejectedException($"sha256 mismatch: the manifest says {model.Sha256}, the file has {actual}");
        }

        var input = JsonSerializer.Deserialize<ManifestInput>(model.InputJson, ManifestValidator.JsonOptions)!;
        OnnxClassifier classifier;
        try
        {
            classifier = new OnnxClassifier(path, sessions, input);
        }
        catch (OnnxRuntimeException)
        {
            throw new ModelRejectedException("the file is not a loadable ONNX model");
        }
        catch (ModelInputNotSupportedException e)
        {
            throw new ModelRejectedException("unusable input: " + e.Message);
        }
        catch (ModelOutputNotSupportedException e)
        {
            throw new ModelRejectedException("unusable output: " + e.Message);
        }

        using (classifier)
        {
            if (classifier.ClassCount is { } outputs && outputs != model.Labels.Count)
            {
                throw new ModelRejectedException($"the model has {outputs} outputs but the manifest lists {model.Labels.Count} labels");
            }

            try
            {
                return prober.Probe(classifier, model.Labels.Count, cancellationToken);
            }
            catch (OnnxRuntimeException)
            {
                throw new ModelRejectedException("the model failed to run on the probe images (input shape or type not accepted)");
            }
            catch (ModelOutputNotSupportedException e)
            {
                throw new ModelRejectedException("unusable output: " + e.Message);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Indexed {ModelId}: {Reached}/{Classes} classes reached by probes, {ElapsedMs:F0} ms")]
    private partial void LogIndexed(string modelId, int reached, int classes, double elapsedMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Model {ModelId} failed: {Reason}")]
    private partial void LogFailed(string modelId, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Model {ModelId} is no longer in the catalog; nothing to index")]
    private partial void LogGone(string modelId);
}

/// <summary>A model cannot be indexed for a reason of its own; its message becomes the failure reason.</summary>
public sealed class ModelRejectedException(string reason) : Exception(reason);
