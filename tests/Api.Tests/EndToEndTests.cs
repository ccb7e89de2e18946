using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using Google.Protobuf;
using Know2Vec.Core.Alignment;
using Know2Vec.Core.Catalog;
using Know2Vec.Core.Vectors;
using Microsoft.Extensions.DependencyInjection;
using Onnx;

namespace Know2Vec.Api.Tests;

/// <summary>
/// The real pipeline: register benchmark models, let the in-process job server probe them, query
/// with labelled sample images. Slow-ish (each model is probed on the 1,000-image probe pool).
/// Rankings are asserted exactly where the data makes them certain (the strongly trained model of
/// the query's task first), and so is the alignment that serves them: the trained one.
/// </summary>
public sealed class EndToEndTests
{
    // Fashion-MNIST models; the query asks for exactly Match's classes. Match is its task's strongly
    // trained model (accuracy 0.97), SameTask the medium one (0.85); Others are of other tasks.
    private const string Match = "fashion-5-6-8-9-mlp-small-a";   // Sandal, Shirt, Bag, Ankle boot
    private const string SameTask = "fashion-5-6-8-9-cnn-small-c";
    private static readonly string[] Others = ["fashion-0-1-3-7-8-mlp-wide-a", "fashion-2-4-6-mlp-small-a", "fashion-1-8-cnn-small-a"];
    private static readonly string[] MatchClasses = ["sandal", "shirt", "bag", "ankle-boot"];

    [Fact]
    public async Task Registered_zoo_is_indexed_with_the_trained_alignment_and_the_strong_matching_model_ranks_first()
    {
        using var dir = new TestDirectory();
        var ids = new[] { Match, SameTask }.Concat(Others).ToArray();
        var models = ids.Select(id => BenchmarkZoo.CopyModel(id, dir.ZooRoot)).ToArray();
        await using var app = new Know2VecApp(dir);
        using var client = app.CreateWriter();

        var registered = await client.PostAsync("/zoos", TestData.Json(TestData.Manifest("E2E Fashion", models)));
        Assert.Equal(HttpStatusCode.Accepted, registered.StatusCode);

        var zoo = await BenchmarkZoo.WaitUntilIndexedAsync(client, "e2e-fashion");
        Assert.Equal(5, zoo.GetProperty("status").GetProperty("indexed").GetInt32());
        Assert.Equal(100, zoo.GetProperty("percent").GetDouble());
        await AssertTrainedAlignmentServesAsync(app, ids.Select(id => $"e2e-fashion:{id}"));

        var answer = await TestData.ReadJsonAsync(
            await client.PostAsync("/queries", BenchmarkZoo.Query("fashion-mnist", MatchClasses, fields: ("topK", "5"))), HttpStatusCode.OK);
        var ranked = BenchmarkZoo.RankedModelIds(answer);
        Assert.Equal(5, ranked.Length);
        // The query task's two models first, the strongly trained one on top.
        Assert.Equal([$"e2e-fashion:{Match}", $"e2e-fashion:{SameTask}"], ranked.Take(2));

        var top = answer.GetProperty("results")[0];
        Assert.Equal(1, top.GetProperty("rank").GetInt32());
        Assert.Equal("e2e-fashion", top.GetProperty("zooId").GetString());
        Assert.NotEmpty(top.GetProperty("labels").EnumerateArray());
        var matches = answer.GetProperty("results").EnumerateArray().Single(r => r.GetProperty("name").GetString() == Match).GetProperty("classMatches");
        Assert.Equal(MatchClasses.Order(), matches.EnumerateArray().Select(m => m.GetProperty("queryClass").GetString()!).Order());
        Assert.All(matches.EnumerateArray(), m => Assert.False(string.IsNullOrEmpty(m.GetProperty("modelClass").GetString())));
        var timings = answer.GetProperty("timings");
        Assert.True(timings.GetProperty("featurizeMs").GetDouble() > 0, $"featurizing 40 images took no time: {timings}");
        Assert.Equal(0, timings.GetProperty("rerankMs").GetDouble()); // no rerank asked, none done

        // Filters reach the search: only the small MLP passes this architecture + size filter.
        var filtered = await TestData.ReadJsonAsync(await client.PostAsync("/queries",
            BenchmarkZoo.Query("fashion-mnist", MatchClasses, perClass: 3, fields: [("architecture", "mlp-small"), ("maxParameters", "25219")])), HttpStatusCode.OK);
        Assert.Equal([$"e2e-fashion:fashion-2-4-6-mlp-small-a"], BenchmarkZoo.RankedModelIds(filtered));

        // Unlabelled samples are grouped into pseudo-classes and still rank models.
        var unlabelled = await TestData.ReadJsonAsync(await client.PostAsync("/queries",
            BenchmarkZoo.Query("fashion-mnist", MatchClasses, perClass: 5, labelled: false)), HttpStatusCode.OK);
        var unlabelledRanked = BenchmarkZoo.RankedModelIds(unlabelled);
        Assert.Equal(5, unlabelledRanked.Length);
        Assert.Equal($"e2e-fashion:{Match}", unlabelledRanked[0]);

        // rerank=3 runs the top 3 models on the images: they carry a LogME score, best first, and the match stays on top.
        var reranked = await TestData.ReadJsonAsync(await client.PostAsync("/queries",
            BenchmarkZoo.Query("fashion-mnist", MatchClasses, fields: [("topK", "5"), ("rerank", "3")])), HttpStatusCode.OK);
        var scores = reranked.GetProperty("results").EnumerateArray().Take(3).Select(r => r.GetProperty("forwardScore").GetDouble()).ToArray();
        Assert.Equal(scores.OrderDescending(), scores);
        Assert.False(reranked.GetProperty("results")[3].TryGetProperty("forwardScore", out var none) && none.ValueKind != JsonValueKind.Null);
        Assert.Equal($"e2e-fashion:{Match}", BenchmarkZoo.RankedModelIds(reranked)[0]);
        Assert.True(reranked.GetProperty("timings").GetProperty("rerankMs").GetDouble() > 0);

        var model = await TestData.ReadJsonAsync(await client.GetAsync($"/models/e2e-fashion:{Match}"), HttpStatusCode.OK);
        Assert.Equal("indexed", model.GetProperty("status").GetString());
        Assert.False(model.TryGetProperty("failureReason", out _));
    }

    [Fact]
    public async Task Broken_models_are_marked_failed_with_a_reason_while_the_others_index()
    {
        using var dir = new TestDirectory();
        var good = BenchmarkZoo.CopyModel(Match, dir.ZooRoot);

        var mismatch = BenchmarkZoo.CopyModel("fashion-1-8-cnn-small-a", dir.ZooRoot);
        mismatch["id"] = "sha-mismatch";
        mismatch["sha256"] = new string('a', 64);

        TestData.WriteFile(dir.ZooRoot, "models/corrupt.onnx", 4096);
        var corrupt = TestData.Model("corrupt", "models/corrupt.onnx", sha256: Sha256(Path.Combine(dir.ZooRoot, "models/corrupt.onnx")));

        File.WriteAllBytes(Path.Combine(dir.ZooRoot, "models/two-inputs.onnx"), TwoInputModel().ToByteArray());
        var unfeedable = TestData.Model("two-inputs", "models/two-inputs.onnx", sha256: Sha256(Path.Combine(dir.ZooRoot, "models/two-inputs.onnx")));
        unfeedable.Remove("parameters"); // it has no weights: a declared count would contradict the file

        await using var app = new Know2VecApp(dir);
        using var client = app.CreateWriter();
        var registered = await client.PostAsync("/zoos", TestData.Json(TestData.Manifest("broken", good, mismatch, corrupt, unfeedable)));
        Assert.Equal(HttpStatusCode.Accepted, registered.StatusCode);

        var zoo = await BenchmarkZoo.WaitUntilIndexedAsync(client, "broken");
        var status = zoo.GetProperty("status");
        Assert.Equal(1, status.GetProperty("indexed").GetInt32());
        Assert.Equal(3, status.GetProperty("failed").GetInt32());
        Assert.Equal(100, zoo.GetProperty("percent").GetDouble());

        Assert.Equal("indexed", (await GetModel(client, $"broken:{Match}")).GetProperty("status").GetString());
        Assert.Contains("sha256", await FailureReason(client, "broken:sha-mismatch"), StringComparison.Ordinal);
        Assert.Contains("ONNX", await FailureReason(client, "broken:corrupt"), StringComparison.Ordinal);
        Assert.Contains("input", await FailureReason(client, "broken:two-inputs"), StringComparison.Ordinal);

        var answer = await TestData.ReadJsonAsync(await client.PostAsync("/queries", BenchmarkZoo.Query("fashion-mnist", MatchClasses, perClass: 3)), HttpStatusCode.OK);
        Assert.Equal([$"broken:{Match}"], BenchmarkZoo.RankedModelIds(answer));
    }

    [Fact]
    public async Task A_restart_keeps_zoos_and_vectors_and_resumes_unfinished_indexing_with_the_same_ranking()
    {
        using var dir = new TestDirectory();
        // The zoo comes in as a seed manifest, registered at start (its files resolve beside it).
        var seedRoot = Path.Combine(dir.Path, "seed");
        var ids = new[] { Match }.Concat(Others.Take(2)).ToArray();
        var models = ids.Select(id => BenchmarkZoo.CopyModel(id, seedRoot)).ToArray();
        var modelIds = ids.Select(id => $"seeded:{id}").ToArray();
        var seed = Path.Combine(seedRoot, "zoo.json");
        File.WriteAllText(seed, TestData.Manifest("Seeded", models));
        var settings = new Dictionary<string, string?> { ["Know2Vec:SeedManifests:0"] = "seed/zoo.json" };

        // 1st run: no job server, so nothing gets indexed; one model is left as if a probe was killed mid-run.
        await using (var first = new Know2VecApp(dir, new Dictionary<string, string?>(settings) { ["Know2Vec:Jobs:RunServer"] = "false" }))
        {
            using var client = first.CreateClient();
            var zoo = await TestData.ReadJsonAsync(await client.GetAsync("/zoos/seeded"), HttpStatusCode.OK);
            Assert.Equal(3, zoo.GetProperty("status").GetProperty("pending").GetInt32());
            var catalog = first.Services.GetRequiredService<ICatalog>();
            Assert.True(await catalog.SetModelStatusAsync($"seeded:{Match}", ModelStatus.Indexing, null, CancellationToken.None));
        }
        // Forget the persisted job queue too: resuming must come from the catalog's state alone.
        foreach (var file in Directory.EnumerateFiles(dir.DataDirectory, "hangfire.db*"))
        {
            File.Delete(file);
        }

        // 2nd run: the seed is already registered (no duplicate, no error) and unfinished models are indexed.
        string[] before;
        await using (var second = new Know2VecApp(dir, settings))
        {
            using var client = second.CreateClient();
            var zoo = await BenchmarkZoo.WaitUntilIndexedAsync(client, "seeded");
            Assert.Equal(3, zoo.GetProperty("status").GetProperty("indexed").GetInt32());
            Assert.Single((await TestData.ReadJsonAsync(await client.GetAsync("/zoos"), HttpStatusCode.OK)).EnumerateArray());
            await AssertTrainedAlignmentServesAsync(second, modelIds);
            before = RankedWithScores(await TestData.ReadJsonAsync(await client.PostAsync("/queries", BenchmarkZoo.Query("fashion-mnist", MatchClasses)), HttpStatusCode.OK));
        }

        Assert.Equal(3, before.Length);
        Assert.StartsWith($"seeded:{Match} ", before[0], StringComparison.Ordinal);

        // 3rd run: everything is still there, and queries are answered from the persisted vectors,
        // made by the same alignment: the same ranking with the same scores.
        await using (var third = new Know2VecApp(dir, settings))
        {
            using var client = third.CreateClient();
            var zoo = await TestData.ReadJsonAsync(await client.GetAsync("/zoos/seeded"), HttpStatusCode.OK);
            Assert.Equal(3, zoo.GetProperty("status").GetProperty("indexed").GetInt32());
            await AssertTrainedAlignmentServesAsync(third, modelIds);
            var after = RankedWithScores(await TestData.ReadJsonAsync(await client.PostAsync("/queries", BenchmarkZoo.Query("fashion-mnist", MatchClasses)), HttpStatusCode.OK));
            Assert.Equal(before, after);
        }
    }

    /// <summary>
    /// The app serves with the trained alignment, and every model's stored vector was made by it (a
    /// silent fall-back to zero-shot, e.g. an alignment folder that does not resolve, fails here).
    /// </summary>
    private static async Task AssertTrainedAlignmentServesAsync(Know2VecApp app, IEnumerable<string> modelIds)
    {
        Assert.Equal(Know2VecApp.TrainedAlignmentVersion, app.Services.GetRequiredService<IAlignment>().Version);
        var index = app.Services.GetRequiredService<IVectorIndex>();
        foreach (var id in modelIds)
        {
            var point = await index.GetAsync(id, CancellationToken.None);
            Assert.True(point is not null, $"{id} has no vector");
            Assert.Equal(Know2VecApp.TrainedAlignmentVersion, point.Payload.AlignmentVersion);
        }
    }

    /// <summary>"modelId score" per result, best first (scores to 4 decimals).</summary>
    private static string[] RankedWithScores(JsonElement answer) =>
        answer.GetProperty("results").EnumerateArray()
            .Select(r => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{r.GetProperty("modelId").GetString()} {r.GetProperty("score").GetDouble():F4}"))
            .ToArray();

    private static async Task<JsonElement> GetModel(HttpClient client, string id) =>
        await TestData.ReadJsonAsync(await client.GetAsync($"/models/{id}"), HttpStatusCode.OK);

    private static async Task<string> FailureReason(HttpClient client, string id)
    {
        var model = await GetModel(client, id);
        Assert.Equal("failed", model.GetProperty("status").GetString());
        return model.GetProperty("failureReason").GetString()!;
    }

    private static string Sha256(string path) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));

    /// <summary>y = a + b: a valid ONNX model that no grey image can be fed to (two inputs).</summary>
    private static ModelProto TwoInputModel()
    {
        static ValueInfoProto Tensor(string name) => new()
        {
            Name = name,
            Type = new TypeProto
            {
                TensorType = new TypeProto.Types.Tensor
                {
                    ElemType = (int)TensorProto.Types.DataType.Float,
                    Shape = new TensorShapeProto { Dim = { new TensorShapeProto.Types.Dimension { DimParam = "N" }, new TensorShapeProto.Types.Dimension { DimValue = 2 } } },
                },
            },
        };
        var graph = new GraphProto { Name = "two-inputs" };
        graph.Input.Add(Tensor("a"));
        graph.Input.Add(Tensor("b"));
        graph.Node.Add(new NodeProto { OpType = "Add", Input = { "a", "b" }, Output = { "y" } });
        graph.Output.Add(Tensor("y"));
        return new ModelProto
        {
            IrVersion = 8,
            ProducerName = "know2vec-api-tests",
            OpsetImport = { new OperatorSetIdProto { Domain = "", Version = 13 } },
            Graph = graph,
        };
    }
}
