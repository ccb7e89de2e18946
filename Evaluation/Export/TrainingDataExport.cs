using System.Text.Json;
using Know2Vec.Core.Featurization;
using Know2Vec.Core.Inference;
using Know2Vec.Core.Probing;
using Know2Vec.Evaluation.Benchmark;
using Microsoft.Extensions.Options;

namespace Know2Vec.Evaluation.Export;

/// <summary>
/// `export`: writes what the alignment trainer needs for one split of a benchmark-format zoo —
/// every model's knowledge tensor (exactly what the indexer stores: same prober, same options),
/// every query set's featurizer features and the ground-truth fits — as raw little-endian
/// float32 files plus index.json, readable from Python with nothing but numpy.
/// </summary>
public static class TrainingDataExport
{
    public const string FormatVersion = "know2vec-training-data/1";

    public static int Run(CommandLine cmd)
    {
        var output = cmd.Option("--out") ?? throw new ArgumentException("--out DIR is required");
        var split = cmd.Option("--split") ?? BenchmarkData.MetaTrain;
        var zooManifests = cmd.Option("--zoo-manifests") ?? BenchmarkData.FindZooManifestsDirectory(Directory.GetCurrentDirectory());
        var data = BenchmarkData.Load(zooManifests);

        using var pipeline = BenchmarkPipeline.Create(data, cmd.CacheDirectory, probePoolDirectory: cmd.Option("--probe-pool"));
        var (featurizer, pool, cache, probing, featurizerOptions) = (pipeline.Featurizer, pipeline.Pool, pipeline.Cache, pipeline.Probing, pipeline.FeaturizerOptions);

        var tasks = data.Tasks.Where(t => split == "all" || t.Split == split).ToList();
        var models = tasks.SelectMany(t => t.Models.Select(id => (Task: t, Model: data.Manifest.Models.Single(m => m.Id == id)))).ToList();
        var queries = data.Queries.Where(q => tasks.Any(t => t.Id == q.Task)).ToList();
        Directory.CreateDirectory(Path.Combine(output, "knowledge"));
        Directory.CreateDirectory(Path.Combine(output, "queries"));
        Console.WriteLine($"export {split}: {tasks.Count} tasks, {models.Count} models, {queries.Count} query sets -> {output}");

        var modelEntries = new List<object>();
        foreach (var (i, (task, model)) in models.Index())
        {
            var knowledge = cache.Knowledge(model);
            var file = $"knowledge/{model.Id}.f32";
            WriteFloats(Path.Combine(output, file), knowledge.Data);
            modelEntries.Add(new
            {
                id = model.Id,
                task = task.Id,
                split = task.Split,
                classes = knowledge.Classes,
                dimension = knowledge.Dimension,
                reached = knowledge.Reached,
                labels = model.Labels,
                architecture = model.Architecture,
                parameters = model.Parameters,
                file,
            });
            Progress("knowledge", i + 1, models.Count);
        }

        var queryEntries = new List<object>();
        foreach (var (i, query) in queries.Index())
        {
            var features = cache.QueryFeatures(query);
            var file = $"queries/{query.Id}.f32";
            WriteFloats(Path.Combine(output, file), features.SelectMany(f => f).ToArray());
            var classOrder = query.Classes.Distinct().ToList();
            queryEntries.Add(new
            {
                id = query.Id,
                task = query.Task,
                split = query.Split,
                shots = query.Shots,
                count = features.Length,
                dimension = featurizer.Dimension,
                classIndex = query.Classes.Select(c => classOrder.IndexOf(c)).ToArray(),
                file,
            });
            Progress("query sets", i + 1, queries.Count);
        }

        var rows = queries.Select(q => data.GroundTruth.Queries.ToList().IndexOf(q.Id)).ToList();
        var cols = models.Select(m => data.GroundTruth.Models.ToList().IndexOf(m.Model.Id)).ToList();
        var fit = rows.SelectMany(r => cols.Select(c => (float)data.GroundTruth.Fit[r][c])).ToArray();
        WriteFloats(Path.Combine(output, "fit.f32"), fit);

        var index = new
        {
            format = FormatVersion,
            split,
            featurizer = new { name = "ResNet18", dimension = featurizer.Dimension, featurizerOptions.InvertPolarity, featurizerOptions.InputScale },
            probing = new { probePool = pool.Version, probing.NodesPerClass, probing.BisectionSteps },
            layout = "knowledge: float32 [classes, classes, dimension] (diagonal = class node features, [i,j] = boundary " +
                     "sample of i facing j, zeros where unreached); queries: float32 [count, dimension]; fit: float32 " +
                     "[queries, models] in the order of the lists below; all little-endian",
            groundTruth = data.GroundTruth.Metric,
            models = modelEntries,
            queries = queryEntries,
            fit = new { file = "fit.f32", rows = queries.Count, cols = models.Count },
        };
        File.WriteAllText(Path.Combine(output, "index.json"), JsonSerializer.Serialize(index, new JsonSerializerOptions { WriteIndented = true }));
        Console.WriteLine($"wrote {Path.Combine(output, "index.json")}");
        return 0;
    }

    /// <summary>A line every tenth of the way (first-time probing and featurizing take minutes).</summary>
    private static void Progress(string what, int done, int total)
    {
        if (done == total || done % Math.Max(1, total / 10) == 0)
        {
            Console.WriteLine($"{what}: {done}/{total}");
        }
    }

    private static void WriteFloats(string path, float[] values)
    {
        var bytes = new byte[values.Length * sizeof(float)];
        // float32 little-endian: the platform order on every machine .NET runs this on, checked here.
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("export writes little-endian float32");
        }

        Buffer.BlockCopy(values, 0, bytes, 0, bytes.Length);
        File.WriteAllBytes(path, bytes);
    }
}
