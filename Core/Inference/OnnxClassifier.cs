using System.Numerics.Tensors;
using Know2Vec.Core.Imaging;
using Know2Vec.Core.Zoo;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Know2Vec.Core.Inference;

/// <summary>
/// Runs one ONNX classifier as a black box: grey images in, logits out. Reads the input layout
/// from the model's metadata and adapts any image to it (resize, channel replication, value
/// range). One session per instance, reused; thread-safe.
/// </summary>
public sealed class OnnxClassifier : IDisposable
{
    /// <summary>Images per call when the model's batch dimension is dynamic.</summary>
    public const int DefaultMaxBatch = 64;

    private readonly InferenceSession _session;
    private readonly int _maxBatch;
    private readonly bool _bgr;
    private readonly float[]? _mean;
    private readonly float[]? _std;

    /// <param name="modelPath">The .onnx file.</param>
    /// <param name="sessions">Builds the session (provider, threading).</param>
    /// <param name="inputRange">The value range the model was trained on (from the manifest); default 0..1.</param>
    /// <param name="maxBatch">Images per call when the batch dimension is dynamic.</param>
    /// <exception cref="ModelInputNotSupportedException">The model's input cannot take an image.</exception>
    public OnnxClassifier(string modelPath, OnnxSessionFactory sessions, (float Min, float Max)? inputRange = null, int maxBatch = DefaultMaxBatch)
        : this(modelPath, sessions, declared: null, inputRange ?? (0f, 1f), maxBatch)
    {
    }

    /// <summary>A classifier fed as its manifest declares: shape and layout (dynamic dimensions of the file filled from them) and value range.</summary>
    /// <exception cref="ModelInputNotSupportedException">The file's input contradicts the declaration or cannot take an image.</exception>
    public OnnxClassifier(string modelPath, OnnxSessionFactory sessions, ManifestInput declared, int maxBatch = DefaultMaxBatch)
        : this(modelPath, sessions, declared, declared.ValueRange, maxBatch)
    {
    }

    private OnnxClassifier(string modelPath, OnnxSessionFactory sessions, ManifestInput? declared, (float Min, float Max) inputRange, int maxBatch)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxBatch);
        InputRange = inputRange;
        _maxBatch = maxBatch;
        _bgr = string.Equals(declared?.Channels, "bgr", StringComparison.OrdinalIgnoreCase);
        _mean = declared?.Mean?.ToArray();
        _std = declared?.Std?.ToArray();
        _session = sessions.Create(modelPath);
        try
        {
            Input = DescribeInput(_session.InputMetadata, declared);
            if ((_mean is not null && _mean.Length != Input.Channels) || (_std is not null && _std.Length != Input.Channels))
            {
                throw new ModelInputNotSupportedException($"input '{Input.Name}' has {Input.Channels} channels; mean and std must give one value per channel.");
            }
            (OutputName, ClassCount) = DescribeOutput(_session.OutputMetadata);
        }
        catch
        {
            _session.Dispose();
            throw;
        }
    }

    /// <summary>The declared input.</summary>
    public ModelInputSpec Input { get; }

    /// <summary>The output read as logits (the model's first output).</summary>
    public string OutputName { get; }

    /// <summary>Number of classes when the output shape fixes it; null otherwise (then the row length of <see cref="Predict"/> tells).</summary>
    public int? ClassCount { get; }

    /// <summary>Input intensities 0..1 are mapped linearly onto this range.</summary>
    public (float Min, float Max) InputRange { get; }

    /// <summary>Runs the model; returns one row of logits (raw first-output values) per image.</summary>
    public float[][] Predict(IReadOnlyList<RasterImage> images, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(images);
        var logits = new float[images.Count][];
        if (images.Count == 0)
        {
            return logits;
        }

        // A fixed batch (usually 1) runs in chunks of exactly that size, padded with zeros.
        var batch = Input.FixedBatch ?? Math.Min(_maxBatch, images.Count);
        var buffer = new float[batch * Input.ImageLength];

        using var runOptions = new RunOptions();
        using var registration = cancellationToken.Register(() => runOptions.Terminate = true);
        for (var start = 0; start < images.Count; start += batch)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var n = Math.Min(batch, images.Count - start);
            var run = Input.FixedBatch ?? n;
            Array.Clear(buffer);
            for (var i = 0; i < n; i++)
            {
                Fill(images[start + i], buffer.AsSpan(i * Input.ImageLength, Input.ImageLength));
            }

            try
            {
                RunBatch(runOptions, buffer, run, n, logits, start);
            }
            catch (OnnxRuntimeException) when (cancellationToken.IsCancellationRequested)
            {
                throw new OperationCanceledException(cancellationToken);
            }
        }

        return logits;
    }

    /// <summary>Numerically stable softmax of one row of logits.</summary>
    public static float[] Softmax(ReadOnlySpan<float> logits)
    {
        var result = new float[logits.Length];
        Softmax(logits, result);
        return result;
    }

    /// <summary>Numerically stable softmax into <paramref name="destination"/>.</summary>
    public static void Softmax(ReadOnlySpan<float> logits, Span<float> destination)
    {
        if (logits.IsEmpty)
        {
            return;
        }

        // Subtracting the max keeps exp from overflowing on large logits.
        TensorPrimitives.Subtract(logits, TensorPrimitives.Max(logits), destination);
        TensorPrimitives.Exp(destination, destination);
        TensorPrimitives.Divide(destination, TensorPrimitives.Sum(destination), destination);
    }

    public void Dispose() => _session.Dispose();

    /// <summary>
    /// Writes one image as the model is declared to take it: resized (bilinear, whole image) to its
    /// size; one channel → the image's grey; three → its red, green, blue planes (in BGR order when
    /// declared; a grey image repeated); 0..1 mapped onto the declared range; then (x − mean) / std per
    /// channel when declared; in the model's layout.
    /// </summary>
    internal void Fill(RasterImage image, Span<float> destination)
    {
        var (h, w, c) = (Input.Height, Input.Width, Input.Channels);
        var sized = ImageResize.Bilinear(c == 1 ? image.ToGrey() : image, w, h);
        var plane = w * h;
        var (min, max) = InputRange;
        var span = max - min;
        var nhwc = Input.Layout == ModelInputLayout.Nhwc;
        for (var k = 0; k < c; k++)
        {
            var source = sized.IsGrey ? sized.Plane(0) : sized.Plane(_bgr ? 2 - k : k);
            var (mean, std) = (_mean?[k] ?? 0f, _std?[k] ?? 1f);
            for (var i = 0; i < plane; i++)
            {
                var v = ((min + (source[i] * span)) - mean) / std;
                destination[nhwc ? (i * c) + k : (k * plane) + i] = v;
            }
        }
    }

    private void RunBatch(RunOptions runOptions, float[] buffer, int run, int n, float[][] logits, int offset)
    {
        using var input = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, buffer.AsMemory(0, run * Input.ImageLength), Input.Shape(run));
        using var outputs = _session.Run(runOptions, [Input.Name], [input], [OutputName]);
        var output = outputs[0];
        var shape = output.GetTensorTypeAndShape().Shape;
        var values = output.GetTensorDataAsSpan<float>();
        if (shape.Length == 0 || shape[0] != run || values.Length % run != 0)
        {
            throw new ModelOutputNotSupportedException($"Output '{OutputName}' has shape [{string.Join(',', shape)}] for a batch of {run}.");
        }

        var classes = values.Length / run;
        for (var i = 0; i < n; i++)
        {
            logits[offset + i] = values.Slice(i * classes, classes).ToArray();
        }
    }

    internal static ModelInputSpec DescribeInput(IReadOnlyDictionary<string, NodeMetadata> inputs, ManifestInput? declared = null)
    {
        if (inputs.Count != 1)
        {
            throw new ModelInputNotSupportedException($"The model has {inputs.Count} inputs ({string.Join(", ", inputs.Keys)}); exactly one image input is supported.");
        }

        var (name, meta) = inputs.Single();
        if (meta.OnnxValueType != OnnxValueType.ONNX_TYPE_TENSOR)
        {
            throw new ModelInputNotSupportedException($"Input '{name}' is a {meta.OnnxValueType}, not a tensor.");
        }

        if (meta.ElementDataType != TensorElementType.Float)
        {
            throw new ModelInputNotSupportedException($"Input '{name}' has element type {meta.ElementDataType}; only float (float32) inputs are supported.");
        }

        // Dynamic dimensions read as -1 or 0 from the runtime; the resolver fills them from the declaration.
        var dimensions = meta.Dimensions.Select(v => v > 0 ? v : (long?)null).ToArray();
        var symbolic = meta.SymbolicDimensions.Select(v => string.IsNullOrEmpty(v) ? null : v).ToArray();
        return ModelInputResolver.Resolve(name, dimensions, symbolic, declared, long.MaxValue);
    }

    private static (string Name, int? Classes) DescribeOutput(IReadOnlyDictionary<string, NodeMetadata> outputs)
    {
        var (name, meta) = outputs.First();
        if (meta.OnnxValueType != OnnxValueType.ONNX_TYPE_TENSOR || meta.ElementDataType != TensorElementType.Float)
        {
            throw new ModelOutputNotSupportedException($"Output '{name}' must be a float tensor of logits; it is {meta.OnnxValueType} of {meta.ElementDataType}.");
        }

        var rest = meta.Dimensions.Skip(1).ToArray();
        int? classes = rest.Length > 0 && rest.All(v => v > 0) ? rest.Aggregate(1, (a, b) => a * b) : null;
        return (name, classes);
    }

}
