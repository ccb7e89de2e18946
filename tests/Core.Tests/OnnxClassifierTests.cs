using Know2Vec.Core.Imaging;
using Know2Vec.Core.Inference;
using Onnx;

namespace Know2Vec.Core.Tests;

public sealed class OnnxClassifierTests
{
    private const int Classes = 3;
    private static readonly OnnxSessionFactory Sessions = FeaturizerFixture.CpuSessions();

    [Fact]
    public void Flat_input_gives_hand_computed_logits()
    {
        var weights = TinyModels.Weights(784, Classes);
        float[] bias = [0.5f, -1f, 2f];
        using var classifier = Load(TinyModels.Gemm(TinyModels.Flat(784), weights, bias));
        var images = Images();

        var logits = classifier.Predict(images);

        Assert.Equal(new ModelInputSpec("x", ModelInputLayout.Flat, 1, 28, 28, null), classifier.Input);
        Assert.Equal(Classes, classifier.ClassCount);
        AssertLogits(images, weights, bias, channels: 1, (0f, 1f), logits);
    }

    [Fact]
    public void Nchw_input_with_one_channel_gives_hand_computed_logits_in_small_batches()
    {
        var weights = TinyModels.Weights(784, Classes, seed: 1);
        using var classifier = Load(TinyModels.Gemm(TinyModels.Image("N", 1, 28, 28), weights), maxBatch: 2);
        var images = Images(); // 5 images → batches of 2, 2, 1

        var logits = classifier.Predict(images);

        Assert.Equal(ModelInputLayout.Nchw, classifier.Input.Layout);
        AssertLogits(images, weights, new float[Classes], channels: 1, (0f, 1f), logits);
    }

    [Fact]
    public void Three_channel_input_gets_the_grey_plane_in_every_channel()
    {
        var weights = TinyModels.Weights(3 * 784, Classes, seed: 2);
        using var classifier = Load(TinyModels.Gemm(TinyModels.Image("batch", 3, 28, 28), weights));
        var images = Images();

        var logits = classifier.Predict(images);

        Assert.Equal(3, classifier.Input.Channels);
        AssertLogits(images, weights, new float[Classes], channels: 3, (0f, 1f), logits);
    }

    [Fact]
    public void Nhw_and_nhwc_inputs_are_supported()
    {
        var weights = TinyModels.Weights(784, Classes, seed: 3);
        using var nhw = Load(TinyModels.Gemm(TinyModels.Image("N", 28, 28), weights));
        using var nhwc = Load(TinyModels.Gemm(TinyModels.Image("N", 28, 28, 1), weights));
        var images = Images();

        Assert.Equal(ModelInputLayout.Nhw, nhw.Input.Layout);
        Assert.Equal(ModelInputLayout.Nhwc, nhwc.Input.Layout);
        AssertLogits(images, weights, new float[Classes], channels: 1, (0f, 1f), nhw.Predict(images));
        AssertLogits(images, weights, new float[Classes], channels: 1, (0f, 1f), nhwc.Predict(images));
    }

    [Fact]
    public void Declared_input_range_is_applied()
    {
        var weights = TinyModels.Weights(784, Classes, seed: 4);
        using var classifier = Load(TinyModels.Gemm(TinyModels.Flat(784), weights), range: (-1f, 255f));
        var images = Images();

        AssertLogits(images, weights, new float[Classes], channels: 1, (-1f, 255f), classifier.Predict(images));
    }

    [Fact]
    public void Fixed_batch_of_one_runs_one_image_at_a_time()
    {
        var weights = TinyModels.Weights(784, Classes, seed: 5);
        using var classifier = Load(TinyModels.Gemm(TinyModels.Image(1, 1, 28, 28), weights));
        var images = Images();

        var logits = classifier.Predict(images);

        Assert.Equal(1, classifier.Input.FixedBatch);
        AssertLogits(images, weights, new float[Classes], channels: 1, (0f, 1f), logits);
    }

    [Fact]
    public void Images_of_another_size_are_resized()
    {
        var weights = TinyModels.Weights(784, Classes, seed: 6);
        using var classifier = Load(TinyModels.Gemm(TinyModels.Flat(784), weights));

        // A constant image stays constant under resizing, so the expected logits are exact.
        var logits = classifier.Predict([TestImages.Constant(50, 40, 0.3f)]);

        AssertLogits([TestImages.Constant(28, 28, 0.3f)], weights, new float[Classes], channels: 1, (0f, 1f), logits);
    }

    [Fact]
    public void Softmax_is_stable_and_normalised()
    {
        var p = OnnxClassifier.Softmax([0f, MathF.Log(2f)]);
        Assert.Equal(1f / 3, p[0], 1e-6f);
        Assert.Equal(2f / 3, p[1], 1e-6f);

        var big = OnnxClassifier.Softmax([1000f, 1000f, -1000f]);
        Assert.Equal([0.5f, 0.5f, 0f], big);
        Assert.Empty(OnnxClassifier.Softmax([]));
    }

    private static readonly Dictionary<string, Func<ModelProto>> UnsupportedModels = new()
    {
        ["rank 5"] = () => TinyModels.Gemm(TinyModels.Image("N", 1, 1, 28, 28), TinyModels.Weights(784, Classes)),
        ["String"] = () => TinyModels.Identity(TinyModels.Tensor("x", TensorProto.Types.DataType.String, "N", 784)),
        ["dynamic"] = () => TinyModels.Gemm(TinyModels.Image("N", 1, "H", "W"), TinyModels.Weights(784, Classes)),
        ["square"] = () => TinyModels.Gemm(TinyModels.Flat(785), TinyModels.Weights(785, Classes)),
        ["channel axis"] = () => TinyModels.Gemm(TinyModels.Image("N", 2, 28, 14), TinyModels.Weights(784, Classes)),
        ["2 inputs"] = TinyModels.TwoInputs,
    };

    [Theory]
    [InlineData("rank 5")]
    [InlineData("String")]
    [InlineData("dynamic")]
    [InlineData("square")]
    [InlineData("channel axis")]
    [InlineData("2 inputs")]
    public void Unsupported_inputs_throw_an_exception_naming_the_problem(string problem)
    {
        var model = UnsupportedModels[problem]();

        var e = Assert.Throws<ModelInputNotSupportedException>(() => Load(model));

        Assert.Contains(problem, e.Message, StringComparison.Ordinal);
    }

    private static OnnxClassifier Load(ModelProto model, (float, float)? range = null, int maxBatch = OnnxClassifier.DefaultMaxBatch) =>
        new(TinyModels.Write(model), Sessions, range, maxBatch);

    private static RasterImage[] Images() =>
        [TestImages.Noise(28, 28, 1), TestImages.Noise(28, 28, 2), TestImages.Shapes()[0], TestImages.Constant(28, 28, 1f), TestImages.Constant(28, 28, 0f)];

    private static void AssertLogits(IReadOnlyList<RasterImage> images, float[,] weights, float[] bias, int channels, (float Min, float Max) range, float[][] actual)
    {
        Assert.Equal(images.Count, actual.Length);
        for (var n = 0; n < images.Count; n++)
        {
            Assert.Equal(bias.Length, actual[n].Length);
            for (var c = 0; c < bias.Length; c++)
            {
                double expected = bias[c];
                for (var ch = 0; ch < channels; ch++)
                {
                    for (var i = 0; i < 784; i++)
                    {
                        var x = range.Min + (images[n].Pixels[i] * (range.Max - range.Min));
                        expected += x * weights[(ch * 784) + i, c];
                    }
                }

                var tolerance = 1e-4 * Math.Max(1, Math.Abs(range.Max - range.Min));
                Assert.True(Math.Abs(expected - actual[n][c]) <= tolerance, $"image {n} class {c}: expected {expected}, got {actual[n][c]}");
            }
        }
    }
}
