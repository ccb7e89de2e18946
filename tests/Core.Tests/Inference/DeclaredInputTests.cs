using System.Text.Json.Nodes;
using Know2Vec.Core.Imaging;
using Know2Vec.Core.Inference;
using Know2Vec.Core.Zoo;
using Know2Vec.Evaluation.Benchmark;
using Onnx;

namespace Know2Vec.Core.Tests.Inference;

/// <summary>
/// The manifest's input declaration against the model file: dynamic dimensions are filled from it,
/// a declaration the file contradicts is refused at registration naming both, sizes are bounded in
/// 64 bits, and the parameter count is checked or counted.
/// </summary>
public sealed class DeclaredInputTests
{
    private static readonly string ZooManifests = BenchmarkData.FindZooManifestsDirectory();
    private static readonly string DemoText = File.ReadAllText(Path.Combine(ZooManifests, "demo.json"));

    [Fact]
    public void A_file_with_dynamic_height_and_width_runs_at_the_declared_size()
    {
        var path = TinyModels.Write(TinyModels.PooledGemm(TinyModels.Image("N", 1, "H", "W"), new float[,] { { 1f, -1f } }));
        var sessions = FeaturizerFixture.CpuSessions();

        using var classifier = new OnnxClassifier(path, sessions, new ManifestInput([1, 32, 40], [0f, 1f]));
        var logits = classifier.Predict([TestImages.Constant(28, 28, 0.25f), TestImages.Constant(28, 28, 0.75f)]);

        Assert.Equal((ModelInputLayout.Nchw, 1, 32, 40), (classifier.Input.Layout, classifier.Input.Channels, classifier.Input.Height, classifier.Input.Width));
        // The pooled mean of a constant image is its value: logits [v, -v].
        Assert.Equal(0.25f, logits[0][0], 1e-3f);
        Assert.Equal(-0.75f, logits[1][1], 1e-3f);
        // Without a declaration the file alone cannot say what to feed.
        var e = Assert.Throws<ModelInputNotSupportedException>(() => new OnnxClassifier(path, sessions, (0f, 1f)));
        Assert.Contains("height and width are dynamic", e.Message);
    }

    [Fact]
    public void Colour_reaches_a_model_declared_NHWC_BGR_0_255_with_dynamic_size()
    {
        // logits = per-channel mean of the input: class k is the model's channel k (blue, green, red in BGR order).
        var path = TinyModels.Write(TinyModels.PooledGemm(
            TinyModels.Image("N", "H", "W", 3), new float[,] { { 1, 0, 0 }, { 0, 1, 0 }, { 0, 0, 1 } }, channelsLast: true));
        var declared = new ManifestInput([32, 32, 3], [0f, 255f], Layout: "NHWC", Channels: "bgr");
        using var classifier = new OnnxClassifier(path, FeaturizerFixture.CpuSessions(), declared);
        string[] labels = ["blue", "green", "red"];

        // Red, green and blue squares of (nearly) equal grey value: a grey pipeline could not tell them apart.
        var squares = IsoluminantSquares();
        var predicted = classifier.Predict(squares.Select(s => s.Image).ToList())
            .Select(row => labels[Array.IndexOf(row, row.Max())]).ToArray();

        Assert.Equal(squares.Select(s => s.Colour), predicted);
        Assert.InRange(squares.Max(s => s.Image.ToGrey().Pixels[0]) - squares.Min(s => s.Image.ToGrey().Pixels[0]), 0, 1.5f / 255);
        // The declared range is honoured: a pure channel of 85/255 arrives as 85.
        Assert.Equal(85f, classifier.Predict([squares[0].Image])[0][2], 0.01f);
    }

    [Fact]
    public void Mean_and_std_are_applied_per_channel_after_the_range()
    {
        var path = TinyModels.Write(TinyModels.PooledGemm(
            TinyModels.Image("N", 3, "H", "W"), new float[,] { { 1, 0, 0 }, { 0, 1, 0 }, { 0, 0, 1 } }));
        var declared = new ManifestInput([3, 8, 8], [0f, 1f], Mean: [0.5f, 0.25f, 0f], Std: [0.5f, 0.25f, 2f]);
        using var classifier = new OnnxClassifier(path, FeaturizerFixture.CpuSessions(), declared);

        var white = new RasterImage(8, 8, Enumerable.Repeat(1f, 3 * 64).ToArray(), channels: 3);
        var logits = classifier.Predict([white])[0];

        Assert.Equal([(1 - 0.5f) / 0.5f, (1 - 0.25f) / 0.25f, (1 - 0f) / 2f], logits, new FloatTolerance(1e-5f));
    }

    /// <summary>Red, green and blue squares whose BT.601 grey values agree within a grey level.</summary>
    internal static (string Colour, RasterImage Image)[] IsoluminantSquares() =>
    [
        ("red", Square(85, 0, 0)),
        ("green", Square(0, 43, 0)),
        ("blue", Square(0, 0, 223)),
    ];

    private static RasterImage Square(byte r, byte g, byte b)
    {
        const int side = 16;
        var pixels = new float[3 * side * side];
        Array.Fill(pixels, r / 255f, 0, side * side);
        Array.Fill(pixels, g / 255f, side * side, side * side);
        Array.Fill(pixels, b / 255f, 2 * side * side, side * side);
        return new RasterImage(side, side, pixels, channels: 3);
    }

    private sealed class FloatTolerance(float tolerance) : IEqualityComparer<float>
    {
        public bool Equals(float x, float y) => Math.Abs(x - y) <= tolerance;

        public int GetHashCode(float obj) => 0;
    }

    [Theory]
    [InlineData(new[] { 3, 28, 28 }, "NCHW", "dimension 1 is 1 in the file, 3 in the declaration")]
    [InlineData(new[] { 1, 32, 32 }, "NCHW", "dimension 2 is 28 in the file, 32 in the declaration")]
    [InlineData(new[] { 784 }, "flat", "rank 4")]
    [InlineData(new[] { 28, 28, 1 }, "NHWC", "dimension 1 is 1 in the file, 28 in the declaration")]
    public void A_declaration_the_file_contradicts_is_refused_naming_both(int[] shape, string layout, string expected)
    {
        var e = Assert.Throws<ModelInputNotSupportedException>(() => ModelInputResolver.Resolve(
            "input", [null, 1, 28, 28], ["batch", null, null, null], new ManifestInput(shape, [0f, 1f], layout)));

        Assert.Contains(expected, e.Message);
        Assert.Contains("[batch,1,28,28]", e.Message);
    }

    [Fact]
    public void Sizes_are_bounded_in_64_bits_before_anything_is_allocated()
    {
        // 65536² does not fit an int: the old 32-bit product overflowed and the model was retried for minutes.
        var huge = Assert.Throws<ModelInputNotSupportedException>(() => ModelInputResolver.Resolve(
            "x", [1, 1, 65536, 65536], [null, null, null, null], declared: null, long.MaxValue));
        Assert.Contains("4294967296 values per image", huge.Message);

        var declared = Assert.Throws<ModelInputNotSupportedException>(() => ModelInputResolver.Resolve(
            "x", [null, 3, null, null], ["N", null, "H", "W"], new ManifestInput([3, 4096, 4096], [0f, 1f])));
        Assert.Contains($"at most {ModelInputResolver.DefaultMaxInputValues}", declared.Message);
    }

    [Fact]
    public void Registration_refuses_a_shape_the_file_contradicts_at_the_field_naming_the_model()
    {
        var problems = Refused(Demo(m => m["models"]![0]!["input"]!["shape"] = new JsonArray(3, 28, 28)));

        var problem = Assert.Single(problems);
        Assert.Equal("/models/0/input/shape", problem.Location);
        Assert.Contains($"model '{FirstDemoModelId}'", problem.Message);
        Assert.Contains("[3,28,28] (NCHW)", problem.Message);
        Assert.Contains(",1,28,28]", problem.Message);
    }

    [Fact]
    public void Parameters_more_than_one_percent_off_are_refused_with_both_numbers_and_left_out_are_counted()
    {
        var declared = JsonNode.Parse(DemoText)!["models"]![0]!["parameters"]!.GetValue<long>();

        var problem = Assert.Single(Refused(Demo(m => m["models"]![0]!["parameters"] = declared * 2)));
        Assert.Equal("/models/0/parameters", problem.Location);
        Assert.Contains($"declares {declared * 2}", problem.Message);
        Assert.Contains($"hold {declared}", problem.Message);

        // Within 1 %: accepted as declared. Left out: counted from the file's initializers.
        ManifestValidator.Validate(Demo(m => m["models"]![0]!["parameters"] = declared + (declared / 200)), ZooManifests);
        var counted = ManifestValidator.Validate(Demo(m => m["models"]![0]!.AsObject().Remove("parameters")), ZooManifests);
        Assert.Null(counted.Models[0].Parameters);
        Assert.Equal(declared, ZooRegistry.BuildRecords(counted, ZooManifests, DateTimeOffset.UnixEpoch).Models[0].Parameters);
    }

    [Fact]
    public void Hashes_are_checked_only_when_asked_as_for_an_upload()
    {
        var json = Demo(m => m["models"]![0]!["sha256"] = new string('a', 64));

        ManifestValidator.Validate(json, ZooManifests); // registered by path: the indexer checks the hash
        var problem = Assert.Single(Assert.Throws<ManifestValidationException>(() => ManifestValidator.Validate(json, ZooManifests, verifyHashes: true)).Problems);

        Assert.Equal("/models/0/sha256", problem.Location);
        Assert.Contains($"model '{FirstDemoModelId}'", problem.Message);
        Assert.Contains(new string('a', 64), problem.Message);
    }

    private static string FirstDemoModelId => JsonNode.Parse(DemoText)!["models"]![0]!["id"]!.GetValue<string>();

    private static string Demo(Action<JsonObject> edit)
    {
        var node = JsonNode.Parse(DemoText)!.AsObject();
        edit(node);
        return node.ToJsonString();
    }

    private static IReadOnlyList<ManifestProblem> Refused(string json) =>
        Assert.Throws<ManifestValidationException>(() => ManifestValidator.Validate(json, ZooManifests)).Problems;
}
