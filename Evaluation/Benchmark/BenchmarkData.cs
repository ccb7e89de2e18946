using System.Collections.Concurrent;
using System.Text.Json;
using Know2Vec.Core.Imaging;
using Know2Vec.Core.Zoo;

namespace Know2Vec.Evaluation.Benchmark;

/// <summary>A labelled image set of the benchmark: raw uint8 images plus dataset class per image.</summary>
public sealed record BenchmarkImageSet(string File, int Count, int Height, int Width, string Sha256, IReadOnlyList<int> Labels);

/// <summary>A benchmark task: a class subset of one dataset, in the meta-train or meta-test split.</summary>
public sealed record BenchmarkTask(string Id, string Dataset, string Split, IReadOnlyList<int> Classes, IReadOnlyList<string> Labels, IReadOnlyList<string> Models);

/// <summary>A labelled query set: images of a query image set, with their dataset classes.</summary>
public sealed record BenchmarkQuery(string Id, string Task, string Split, int Shots, string ImageSet, IReadOnlyList<int> Indices, IReadOnlyList<int> Classes);

/// <summary>fit[query][model], rows in <see cref="Queries"/> order, columns in <see cref="Models"/> order.</summary>
public sealed record GroundTruth(string Metric, IReadOnlyList<string> Queries, IReadOnlyList<string> Models, IReadOnlyList<IReadOnlyList<double>> Fit);

/// <summary>
/// The committed benchmark zoo (built by tools/zoo-builder): manifest, tasks with their
/// meta-train / meta-test split, query sets, ground truth and images.
/// </summary>
public sealed class BenchmarkData
{
    public const string MetaTrain = "meta-train";
    public const string MetaTest = "meta-test";

    private readonly string _benchmarkDirectory;
    private readonly ConcurrentDictionary<string, IReadOnlyList<RasterImage>> _images = new();

    private BenchmarkData(string zooManifestsDirectory, ZooManifest manifest, TasksFile tasks, GroundTruth groundTruth)
    {
        ZooManifestsDirectory = zooManifestsDirectory;
        _benchmarkDirectory = Path.Combine(zooManifestsDirectory, "benchmark");
        Manifest = manifest;
        Tasks = tasks.Tasks;
        Queries = tasks.Queries;
        ImageSets = tasks.ImageSets;
        GroundTruth = groundTruth;
    }

    /// <summary>The zoo-manifests folder: the root that manifest file paths are relative to.</summary>
    public string ZooManifestsDirectory { get; }

    public ZooManifest Manifest { get; }

    public IReadOnlyList<BenchmarkTask> Tasks { get; }

    public IReadOnlyList<BenchmarkQuery> Queries { get; }

    public IReadOnlyDictionary<string, BenchmarkImageSet> ImageSets { get; }

    public GroundTruth GroundTruth { get; }

    /// <summary>Loads benchmark.json, benchmark/tasks.json and benchmark/ground-truth.json.</summary>
    public static BenchmarkData Load(string zooManifestsDirectory)
    {
        var manifest = ManifestValidator.Validate(
            File.ReadAllText(Path.Combine(zooManifestsDirectory, "benchmark.json")), zooManifestsDirectory);
        var tasks = Read<TasksFile>(Path.Combine(zooManifestsDirectory, "benchmark", "tasks.json"));
        var truth = Read<GroundTruth>(Path.Combine(zooManifestsDirectory, "benchmark", "ground-truth.json"));
        return new BenchmarkData(zooManifestsDirectory, manifest, tasks, truth);
    }

    /// <summary>Finds the zoo-manifests folder by walking up from <paramref name="start"/> (default: the app's base directory).</summary>
    public static string FindZooManifestsDirectory(string? start = null)
    {
        for (var dir = new DirectoryInfo(start ?? AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "zoo-manifests");
            if (File.Exists(Path.Combine(candidate, "benchmark.json")))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException("zoo-manifests/benchmark.json not found above " + (start ?? AppContext.BaseDirectory));
    }

    /// <summary>All images of an image set (cached), pixels in 0..1.</summary>
    public IReadOnlyList<RasterImage> Images(string imageSetId) => _images.GetOrAdd(imageSetId, id =>
    {
        var set = ImageSets[id];
        return RawImageSet.Read(Path.Combine(_benchmarkDirectory, set.File), set.Height, set.Width);
    });

    /// <summary>The task's held-out test images and each one's index into the task's classes (= the models' output index).</summary>
    public (IReadOnlyList<RasterImage> Images, int[] ClassIndex) TestSet(BenchmarkTask task)
    {
        var setId = $"{task.Dataset}-test";
        var labels = ImageSets[setId].Labels;
        var all = Images(setId);
        var images = new List<RasterImage>();
        var classIndex = new List<int>();
        for (var i = 0; i < labels.Count; i++)
        {
            var c = IndexOf(task.Classes, labels[i]);
            if (c >= 0)
            {
                images.Add(all[i]);
                classIndex.Add(c);
            }
        }

        return (images, classIndex.ToArray());
    }

    /// <summary>The images of a query set, in order, with their dataset classes.</summary>
    public IReadOnlyList<RasterImage> QueryImages(BenchmarkQuery query)
    {
        var all = Images(query.ImageSet);
        return query.Indices.Select(i => all[i]).ToList();
    }

    private static int IndexOf(IReadOnlyList<int> list, int value)
    {
        for (var i = 0; i < list.Count; i++)
        {
            if (list[i] == value)
            {
                return i;
            }
        }

        return -1;
    }

    private static T Read<T>(string path) =>
        JsonSerializer.Deserialize<T>(File.ReadAllText(path), ManifestValidator.JsonOptions)
        ?? throw new InvalidDataException($"{path} is empty");

    private sealed record TasksFile(
        IReadOnlyDictionary<string, BenchmarkImageSet> ImageSets,
        IReadOnlyList<BenchmarkTask> Tasks,
        IReadOnlyList<BenchmarkQuery> Queries);
}
