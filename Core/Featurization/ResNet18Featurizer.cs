using System.Buffers;
using System.Diagnostics;
using Google.Protobuf;
using Know2Vec.Core.Imaging;
using Know2Vec.Core.Inference;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.ML.OnnxRuntime;
using Onnx;

namespace Know2Vec.Core.Featurization;

/// <summary>
/// φ = ImageNet ResNet18 (from Microsoft.ML.DnnImageFeaturizer.ResNet18 0.23.1) behind its own
/// preprocessing graph. Both files ship with batch size fixed at 1; at load time the batch
/// dimension is rewritten to a symbolic one so that images run in batches.
/// </summary>
public sealed partial class ResNet18Featurizer : IFeaturizer, IDisposable
{
    public const string ModelFileName = "ResNet18.onnx";
    public const string PreprocessFileName = "ResNetPreprocess.onnx";

    private readonly FeaturizerOptions _options;
    private readonly InferenceSession _preprocess;
    private readonly InferenceSession _resnet;
    private readonly string _preprocessInput;
    private readonly string _preprocessOutput;
    private readonly string _resnetInput;
    private readonly string _resnetOutput;

    public ResNet18Featurizer(IOptions<FeaturizerOptions> options, OnnxSessionFactory sessions, ILogger<ResNet18Featurizer>? logger = null)
    {
        _options = options.Value;
        var directory = _options.ModelDirectory ?? Path.Combine(AppContext.BaseDirectory, "Featurizer");
        var started = Stopwatch.StartNew();

        _preprocess = sessions.Create(LoadWithSymbolicBatch(Path.Combine(directory, PreprocessFileName)), PreprocessFileName);
        try
        {
            _resnet = sessions.Create(LoadWithSymbolicBatch(Path.Combine(directory, ModelFileName)), ModelFileName);
        }
        catch
        {
            _preprocess.Dispose();
            throw;
        }

        (_preprocessInput, var preprocessIn) = _preprocess.InputMetadata.Single();
        (_preprocessOutput, _) = _preprocess.OutputMetadata.Single();
        (_resnetInput, var resnetIn) = _resnet.InputMetadata.Single();
        (_resnetOutput, var resnetOut) = _resnet.OutputMetadata.Single();

        // Guard against a different file sitting under the expected name.
        int[] expectedInput = [-1, FeaturizerInput.Channels, FeaturizerInput.Size, FeaturizerInput.Size];
        if (!preprocessIn.Dimensions.SequenceEqual(expectedInput) || !resnetIn.Dimensions.SequenceEqual(expectedInput)
            || resnetOut.Dimensions.Length < 2 || resnetOut.Dimensions.Skip(1).Any(d => d <= 0))
        {
            Dispose();
            throw new InvalidOperationException($"Unexpected featurizer graphs in {directory}: inputs must be [N,3,224,224] and the output fixed-size per image.");
        }

        Dimension = resnetOut.Dimensions.Skip(1).Aggregate(1, (a, b) => a * b);
        LoadTime = started.Elapsed;
        LogLoaded(logger ?? NullLogger<ResNet18Featurizer>.Instance, Dimension, sessions.ActiveProvider, (long)LoadTime.TotalMilliseconds);
    }

    /// <inheritdoc/>
    public int Dimension { get; }

    /// <summary>Time spent editing both graphs and creating both sessions.</summary>
    public TimeSpan LoadTime { get; }

    /// <inheritdoc/>
    public float[][] Featurize(IReadOnlyList<RasterImage> images, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(images);
        var features = new float[images.Count][];
        if (images.Count == 0)
        {
            return features;
        }

        var batch = Math.Min(_options.BatchSize, images.Count);
        // 19 MB at batch 32: pooled so that steady probing does not churn the large-object heap.
        var buffer = ArrayPool<float>.Shared.Rent(batch * FeaturizerInput.ImageLength);
        try
        {
            FeaturizeInto(images, features, buffer, batch, cancellationToken);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(buffer);
        }

        return features;
    }

    public void Dispose()
    {
        _preprocess.Dispose();
        _resnet?.Dispose();
    }

    private void FeaturizeInto(IReadOnlyList<RasterImage> images, float[][] features, float[] buffer, int batch, CancellationToken cancellationToken)
    {
        using var runOptions = new RunOptions();
        // Terminate stops a batch that is already running; the token is also checked between batches.
        using var registration = cancellationToken.Register(() => runOptions.Terminate = true);

        for (var start = 0; start < images.Count; start += batch)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var n = Math.Min(batch, images.Count - start);
            for (var i = 0; i < n; i++)
            {
                FeaturizerInput.Fill(images[start + i], _options, buffer.AsSpan(i * FeaturizerInput.ImageLength, FeaturizerInput.ImageLength));
            }

            try
            {
                RunBatch(runOptions, buffer, n, features, start);
            }
            catch (OnnxRuntimeException) when (cancellationToken.IsCancellationRequested)
            {
                throw new OperationCanceledException(cancellationToken);
            }
        }
    }

    private void RunBatch(RunOptions runOptions, float[] buffer, int n, float[][] features, int offset)
    {
        long[] shape = [n, FeaturizerInput.Channels, FeaturizerInput.Size, FeaturizerInput.Size];
        using var input = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, buffer.AsMemory(0, n * FeaturizerInput.ImageLength), shape);
        using var preprocessed = _preprocess.Run(runOptions, [_preprocessInput], [input], [_preprocessOutput]);
        using var output = _resnet.Run(runOptions, [_resnetInput], [preprocessed[0]], [_resnetOutput]);
        var values = output[0].GetTensorDataAsSpan<float>();
        for (var i = 0; i < n; i++)
        {
            features[offset + i] = values.Slice(i * Dimension, Dimension).ToArray();
        }
    }

    /// <summary>
    /// Reads an ONNX file and makes its leading (batch) dimension symbolic on inputs, outputs and
    /// value infos. IR version 3 files must be raised to 4 once the batch is symbolic (the checker
    /// rejects the combination otherwise).
    /// </summary>
    internal static byte[] LoadWithSymbolicBatch(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Featurizer model not found: {path}. It is copied from the Microsoft.ML.DnnImageFeaturizer.ResNet18 package at build time.", path);
        }

        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));
        model.Graph.SetDim();
        model.IrVersion = Math.Max(model.IrVersion, 4);
        return model.ToByteArray();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "ResNet18 featurizer loaded: {Dimension} dimensions on {Provider} in {ElapsedMs} ms")]
    private static partial void LogLoaded(ILogger logger, int dimension, string provider, long elapsedMs);
}
