using System.Net;
using Google.Protobuf;

namespace Know2Vec.Api.Tests;

/// <summary>
/// "Try this model": POST /models/{id}/predictions runs one indexed model on the caller's images,
/// exactly as indexing runs it, and GET /models/{id} shows how the model is fed.
/// </summary>
public sealed class ModelPredictionsTests
{
    private const string Model = "fashion-5-6-8-9-mlp-small-a"; // Sandal, Shirt, Bag, Ankle boot; strongly trained
    private static readonly string[] Classes = ["sandal", "shirt", "bag", "ankle-boot"];
    private static readonly Dictionary<string, string> LabelOf = new()
    {
        ["sandal"] = "Sandal",
        ["shirt"] = "Shirt",
        ["bag"] = "Bag",
        ["ankle-boot"] = "Ankle boot",
    };

    [Fact]
    public async Task An_indexed_model_classifies_the_posted_images_and_shows_how_it_is_fed()
    {
        using var dir = new TestDirectory();
        var model = BenchmarkZoo.CopyModel(Model, dir.ZooRoot);
        TestData.WriteFile(dir.ZooRoot, "models/broken.onnx", 512);
        var broken = TestData.Model("broken", "models/broken.onnx", sha256: Sha256Of(Path.Combine(dir.ZooRoot, "models/broken.onnx")));
        await using var app = new Know2VecApp(dir);
        using var client = app.CreateWriter();
        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsync("/zoos", TestData.Json(TestData.Manifest("Try", model, broken)))).StatusCode);
        await BenchmarkZoo.WaitUntilIndexedAsync(client, "try");

        var answer = await TestData.ReadJsonAsync(
            await client.PostAsync($"/models/try:{Model}/predictions", BenchmarkZoo.Query("fashion-mnist", Classes, perClass: 5, labelled: false, fields: ("topK", "2"))),
            HttpStatusCode.OK);

        var predictions = answer.GetProperty("predictions").EnumerateArray().ToList();
        Assert.Equal(Classes.Length * 5, predictions.Count);
        Assert.True(answer.GetProperty("milliseconds").GetDouble() > 0);
        var correct = 0;
        foreach (var (p, i) in predictions.Select((p, i) => (p, i)))
        {
            Assert.Equal(i, p.GetProperty("index").GetInt32());
            var top = p.GetProperty("top").EnumerateArray().ToList();
            Assert.Equal(2, top.Count);
            Assert.True(top[0].GetProperty("probability").GetDouble() >= top[1].GetProperty("probability").GetDouble());
            Assert.InRange(top[0].GetProperty("probability").GetDouble() + top[1].GetProperty("probability").GetDouble(), 0, 1.0001);
            var truth = LabelOf[Classes[i / 5]];
            Assert.StartsWith(Classes[i / 5], p.GetProperty("fileName").GetString());
            correct += top[0].GetProperty("label").GetString() == truth ? 1 : 0;
        }

        // The model's own test accuracy is above 0.9; on these 20 samples it gets at least 17 right.
        Assert.True(correct >= 17, $"{correct} of {predictions.Count} right");

        var described = await TestData.ReadJsonAsync(await client.GetAsync($"/models/try:{Model}"), HttpStatusCode.OK);
        var preprocessing = described.GetProperty("preprocessing");
        Assert.Equal("NCHW", preprocessing.GetProperty("layout").GetString());
        Assert.Equal((1, 28, 28), (preprocessing.GetProperty("channels").GetInt32(), preprocessing.GetProperty("height").GetInt32(), preprocessing.GetProperty("width").GetInt32()));

        // A model whose indexing failed cannot be run: 409 naming why; an unknown one is 404.
        var failed = await TestData.AssertProblemAsync(
            await client.PostAsync("/models/try:broken/predictions", BenchmarkZoo.Query("fashion-mnist", ["bag"], perClass: 1, labelled: false)), HttpStatusCode.Conflict);
        Assert.Contains("indexing failed", failed.GetProperty("detail").GetString());
        await TestData.AssertProblemAsync(
            await client.PostAsync("/models/try:nope/predictions", BenchmarkZoo.Query("fashion-mnist", ["bag"], perClass: 1, labelled: false)), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_colour_model_declared_NHWC_BGR_0_255_with_dynamic_size_tells_isoluminant_colours_apart()
    {
        using var dir = new TestDirectory();
        await using var app = new Know2VecApp(dir);
        using var client = app.CreateWriter();
        // Its logits are the mean of each input channel: in BGR order class 0 is blue, 1 green, 2 red.
        var onnx = TinyModels.PooledGemm(TinyModels.Image("N", "H", "W", 3), new float[,] { { 1, 0, 0 }, { 0, 1, 0 }, { 0, 0, 1 } }, channelsLast: true).ToByteArray();
        var model = TestData.Model("colours", "colours.onnx", sha256: Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(onnx)), labels: ["blue", "green", "red"]);
        model.Remove("parameters"); // counted from the file
        model["input"] = new System.Text.Json.Nodes.JsonObject
        {
            ["shape"] = new System.Text.Json.Nodes.JsonArray(32, 32, 3),
            ["layout"] = "NHWC",
            ["channels"] = "bgr",
            ["range"] = new System.Text.Json.Nodes.JsonArray(0, 255),
        };
        var upload = new MultipartFormDataContent
        {
            { new StringContent(TestData.Manifest("Colours", model)), "manifest" },
            { TestData.File(onnx), "files", "colours.onnx" },
        };
        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsync("/zoos", upload)).StatusCode);
        await BenchmarkZoo.WaitUntilIndexedAsync(client, "colours");
        var described = await TestData.ReadJsonAsync(await client.GetAsync("/models/colours:colours"), HttpStatusCode.OK);
        Assert.Equal("indexed", described.GetProperty("status").GetString());
        Assert.Equal(12, described.GetProperty("parameters").GetInt64()); // 3×3 weights + 3 biases, counted

        // Red, green and blue squares of equal grey value (85, 43, 223 in their channel): a grey pipeline sees three identical images.
        var squares = new MultipartFormDataContent();
        foreach (var (name, color) in new[] { ("red", new SkiaSharp.SKColor(85, 0, 0)), ("green", new SkiaSharp.SKColor(0, 43, 0)), ("blue", new SkiaSharp.SKColor(0, 0, 223)) })
        {
            using var bitmap = new SkiaSharp.SKBitmap(24, 24);
            bitmap.Erase(color);
            using var png = bitmap.Encode(SkiaSharp.SKEncodedImageFormat.Png, 100);
            squares.Add(TestData.File(png.ToArray(), "image/png"), "images", $"{name}.png");
        }

        var answer = await TestData.ReadJsonAsync(await client.PostAsync("/models/colours:colours/predictions", squares), HttpStatusCode.OK);

        Assert.Equal(["red", "green", "blue"], answer.GetProperty("predictions").EnumerateArray()
            .Select(p => p.GetProperty("top")[0].GetProperty("label").GetString()!).ToArray());
    }

    [Fact]
    public async Task Bad_images_and_fields_are_refused_naming_the_field()
    {
        using var dir = new TestDirectory();
        await using var app = new Know2VecApp(dir);
        using var client = app.CreateWriter();

        var notAnImage = new MultipartFormDataContent { { TestData.File(TestData.RandomBytes(40)), "images", "notes.txt" } };
        var messages = await TestData.AssertValidationProblemAsync(await client.PostAsync("/models/any:model/predictions", notAnImage), "images[0]");
        Assert.Contains(messages, m => m.Contains("notes.txt", StringComparison.Ordinal));

        await TestData.AssertValidationProblemAsync(
            await client.PostAsync("/models/any:model/predictions", BenchmarkZoo.Query("fashion-mnist", ["bag"], perClass: 1, labelled: false, fields: ("topK", "many"))), "topK");
        await TestData.AssertValidationProblemAsync(
            await client.PostAsync("/models/any:model/predictions", new MultipartFormDataContent { { new StringContent("2"), "topK" } }), "images");
    }

    private static string Sha256Of(string path) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(path)));
}
