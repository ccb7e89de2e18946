using System.Security.Cryptography;
using System.Text.Json;
using Know2Vec.Core.Inference;
using Know2Vec.Core.Zoo;
using Know2Vec.Evaluation.Benchmark;
using Microsoft.Extensions.Options;

namespace Know2Vec.Evaluation.Tests.Benchmark;

/// <summary>Loads the committed benchmark once for all tests of this class.</summary>
public sealed class BenchmarkFixture
{
    public BenchmarkData Data { get; } = BenchmarkData.Load(BenchmarkData.FindZooManifestsDirectory());
}

/// <summary>
/// Proof that the committed zoo is real: every model file matches its sha256, runs in ONNX
/// Runtime, and reaches the accuracy its manifest records on its own task's test split; and
/// that the benchmark's splits keep the promises the evaluation relies on.
/// </summary>
public sealed class BenchmarkZooTests(BenchmarkFixture fixture) : IClassFixture<BenchmarkFixture>
{
    private readonly BenchmarkData _data = fixture.Data;

    [Fact]
    public void Every_committed_image_file_is_covered_by_the_licences_file()
    {
        var root = _data.ZooManifestsDirectory;
        var licences = File.ReadAllText(Path.Combine(root, "LICENSES.md"));

        // Each image set's file, each sample dataset folder and the probe pool are named with their source.
        foreach (var set in _data.ImageSets.Values)
        {
            var dataset = Path.GetFileName(set.File).Split('-')[0] is "fashion" ? "fashion-mnist" : Path.GetFileName(set.File).Split('-')[0];
            Assert.Contains($"benchmark/images/{dataset}-*.u8", licences);
        }

        foreach (var folder in Directory.GetDirectories(Path.Combine(root, "samples")))
        {
            Assert.Contains($"samples/{Path.GetFileName(folder)}/**.png", licences);
        }

        Assert.Contains("probe-pool/v1/images.u8", licences);
        Assert.Contains("Zalando", licences);
        Assert.Contains("CC BY 4.0", licences);
    }

    [Fact]
    public void Every_model_matches_its_sha256_and_recorded_accuracy()
    {
        var sessions = new OnnxSessionFactory(Options.Create(new InferenceOptions { Device = InferenceDevice.Cpu }));
        var tasks = _data.Tasks.ToDictionary(t => t.Id);
        var mismatches = new List<string>();
        Assert.True(_data.Manifest.Models.Count >= 120, $"only {_data.Manifest.Models.Count} models");
        foreach (var model in _data.Manifest.Models)
        {
            var path = ManifestValidator.ResolveUnderRoot(_data.ZooManifestsDirectory, model.File)!;
            Assert.Equal(model.Sha256, Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path))));

            var task = tasks[TaskOf(model)];
            var (images, truth) = _data.TestSet(task);
            using var classifier = new OnnxClassifier(path, sessions, model.Input.ValueRange);
            Assert.Equal(task.Classes.Count, classifier.ClassCount);
            var logits = classifier.Predict(images);
            var correct = logits.Where((row, i) => ArgMax(row) == truth[i]).Count();
            var accuracy = (double)correct / images.Count;
            if (Math.Abs(accuracy - model.Accuracy!.Value) > 0.005)
            {
                mismatches.Add($"{model.Id}: measured {accuracy:F4}, recorded {model.Accuracy:F4}");
            }
        }

        Assert.Empty(mismatches);
    }

    [Fact]
    public void Both_datasets_and_four_families_are_well_represented()
    {
        Assert.True(_data.Tasks.Count >= 60);
        foreach (var dataset in new[] { "fashion-mnist", "digits" })
        {
            var tasks = _data.Tasks.Where(t => t.Dataset == dataset).ToList();
            Assert.True(tasks.Count >= 20, $"{dataset}: {tasks.Count} tasks");
            Assert.All(tasks, t => Assert.InRange(t.Classes.Count, 2, 5));
            Assert.Contains(tasks, t => t.Split == BenchmarkData.MetaTest);
        }

        var families = _data.Manifest.Models.GroupBy(m => m.Architecture).ToList();
        Assert.True(families.Count >= 4);
        Assert.All(families, f => Assert.True(f.Count() >= 20, $"{f.Key}: {f.Count()} models"));
    }

    [Fact]
    public void Meta_test_class_subsets_and_models_never_appear_in_meta_train()
    {
        var train = _data.Tasks.Where(t => t.Split == BenchmarkData.MetaTrain).ToList();
        var test = _data.Tasks.Where(t => t.Split == BenchmarkData.MetaTest).ToList();
        Assert.NotEmpty(train);
        Assert.NotEmpty(test);
        var trainSubsets = train.Select(Key).ToHashSet();
        Assert.All(test, t => Assert.DoesNotContain(Key(t), trainSubsets));
        var trainModels = train.SelectMany(t => t.Models).ToHashSet();
        Assert.All(test.SelectMany(t => t.Models), m => Assert.DoesNotContain(m, trainModels));
        Assert.All(_data.Queries, q => Assert.Equal(_data.Tasks.Single(t => t.Id == q.Task).Split, q.Split));

        static string Key(BenchmarkTask t) => t.Dataset + ":" + string.Join(",", t.Classes);
    }

    [Fact]
    public void Query_sets_are_labelled_k_shot_sets_of_the_task_classes_with_a_fit_for_every_model()
    {
        var truth = _data.GroundTruth;
        Assert.Equal(_data.Queries.Select(q => q.Id), truth.Queries);
        Assert.Equal(_data.Manifest.Models.Select(m => m.Id), truth.Models);
        Assert.All(truth.Fit, row => Assert.Equal(truth.Models.Count, row.Count));
        Assert.All(truth.Fit.SelectMany(r => r), f => Assert.InRange(f, 0.0, 1.0));
        foreach (var query in _data.Queries)
        {
            var task = _data.Tasks.Single(t => t.Id == query.Task);
            Assert.Contains(query.Shots, new[] { 5, 10 });
            Assert.Equal(task.Classes.Count * query.Shots, query.Indices.Count);
            var labels = _data.ImageSets[query.ImageSet].Labels;
            Assert.Equal(query.Classes, query.Indices.Select(i => labels[i]));
            Assert.All(task.Classes, c => Assert.Equal(query.Shots, query.Classes.Count(x => x == c)));
        }
    }

    [Fact]
    public void Image_sets_match_their_recorded_size_and_sha256()
    {
        foreach (var (id, set) in _data.ImageSets)
        {
            var bytes = File.ReadAllBytes(Path.Combine(_data.ZooManifestsDirectory, "benchmark", set.File));
            Assert.Equal(set.Count * set.Height * set.Width, bytes.Length);
            Assert.Equal(set.Sha256, Convert.ToHexStringLower(SHA256.HashData(bytes)));
            Assert.Equal(set.Count, _data.Images(id).Count);
        }
    }

    [Fact]
    public void Demo_manifest_is_valid_and_a_subset_of_the_benchmark_covering_both_datasets()
    {
        var demo = ManifestValidator.Validate(
            File.ReadAllText(Path.Combine(_data.ZooManifestsDirectory, "demo.json")), _data.ZooManifestsDirectory);
        var benchmark = _data.Manifest.Models.ToDictionary(m => m.Id);
        Assert.InRange(demo.Models.Count, 15, 30);
        Assert.All(demo.Models, m => Assert.Equal(benchmark[m.Id].Sha256, m.Sha256));
        Assert.Contains(demo.Models, m => m.Tags.Contains("fashion-mnist"));
        Assert.Contains(demo.Models, m => m.Tags.Contains("digits"));
    }

    [Fact]
    public void Probe_pool_is_unlabelled_training_images_never_used_as_query_or_test()
    {
        var folder = Path.Combine(_data.ZooManifestsDirectory, "probe-pool", "v1");
        using var index = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "index.json")));
        var root = index.RootElement;
        var count = root.GetProperty("count").GetInt32();
        Assert.InRange(count, 800, 1200);
        Assert.Equal(count * 28 * 28, new FileInfo(Path.Combine(folder, "images.u8")).Length);

        // Probes come from training data: never from a test split, and never an image that a query or
        // test set takes from the same index space (digits has one index space for all its parts).
        var compared = 0;
        foreach (var source in root.GetProperty("sources").EnumerateArray())
        {
            var dataset = source.GetProperty("dataset").GetString()!;
            var split = source.GetProperty("split").GetString()!;
            Assert.NotEqual("test", split);
            var probes = source.GetProperty("indices").EnumerateArray().Select(e => e.GetInt32()).ToHashSet();
            using var tasks = JsonDocument.Parse(File.ReadAllText(Path.Combine(_data.ZooManifestsDirectory, "benchmark", "tasks.json")));
            foreach (var set in tasks.RootElement.GetProperty("imageSets").EnumerateObject())
            {
                var src = set.Value.GetProperty("source");
                if (src.GetProperty("dataset").GetString() == dataset && src.GetProperty("split").GetString() == split)
                {
                    Assert.DoesNotContain(src.GetProperty("indices").EnumerateArray(), e => probes.Contains(e.GetInt32()));
                    compared++;
                }
            }
        }

        Assert.True(compared > 0, "no image set shares an index space with the probe pool: the check compared nothing");
    }

    private static string TaskOf(ManifestModel model) =>
        model.TrainedOn!.Value.GetProperty("task").GetString()!;

    private static int ArgMax(float[] row)
    {
        var best = 0;
        for (var i = 1; i < row.Length; i++)
        {
            if (row[i] > row[best])
            {
                best = i;
            }
        }

        return best;
    }
}
