using Know2Vec.Core.Featurization;
using Know2Vec.Core.Imaging;
using Know2Vec.Core.Inference;
using Know2Vec.Core.Probing;
using Know2Vec.Core.Zoo;
using Know2Vec.Evaluation.Benchmark;

namespace Know2Vec.Core.Tests.Method;

/// <summary>
/// What the method tests share: one real ResNet18 featurizer (session creation ~0.3 s, 64 MB),
/// the committed benchmark zoo and the shipped probe pool v1. Featurizing costs ~30 ms per image
/// on two cores, so the tests that need it share this fixture and keep their image counts small.
/// </summary>
public sealed class MethodFixture : IDisposable
{
    private readonly Lazy<ProbePool> _pool;

    public MethodFixture()
    {
        ZooManifests = BenchmarkData.FindZooManifestsDirectory();
        Benchmark = BenchmarkData.Load(ZooManifests);
        Sessions = FeaturizerFixture.CpuSessions();
        Featurizer = FeaturizerFixture.Create(new FeaturizerOptions());
        _pool = new Lazy<ProbePool>(() => ProbePool.Load(ProbePoolDirectory));
    }

    public string ZooManifests { get; }

    public string ProbePoolDirectory => Path.Combine(ZooManifests, "probe-pool", "v1");

    public BenchmarkData Benchmark { get; }

    public OnnxSessionFactory Sessions { get; }

    public ResNet18Featurizer Featurizer { get; }

    /// <summary>zoo-manifests/probe-pool/v1, loaded once.</summary>
    public ProbePool Pool => _pool.Value;

    /// <summary>
    /// The most accurate strongly trained Fashion-MNIST model with <paramref name="classes"/> labels
    /// (ties by id), chosen from benchmark.json by trainedOn.budget == "strong".
    /// </summary>
    public ManifestModel StrongFashionModel(int classes) =>
        Benchmark.Manifest.Models
            .Where(m => m.Labels.Count == classes && m.TrainedOn is { } t
                && t.GetProperty("dataset").GetString() == "fashion-mnist"
                && t.GetProperty("budget").GetString() == "strong")
            .OrderByDescending(m => m.Accuracy)
            .ThenBy(m => m.Id, StringComparer.Ordinal)
            .First();

    /// <summary>A benchmark model by its manifest id.</summary>
    public ManifestModel Model(string id) => Benchmark.Manifest.Models.Single(m => m.Id == id);

    /// <summary>The absolute path of a benchmark model's .onnx file.</summary>
    public string PathOf(ManifestModel model) => ManifestValidator.ResolveUnderRoot(ZooManifests, model.File)!;

    /// <summary>A classifier for a benchmark model, with its declared input range.</summary>
    public OnnxClassifier Classifier(ManifestModel model) => new(PathOf(model), Sessions, model.Input.ValueRange);

    /// <summary>The first <paramref name="perClass"/> Fashion-MNIST test images of each dataset class, in class order.</summary>
    public (List<RasterImage> Images, List<int> Classes) FashionTestImages(IReadOnlyList<int> classes, int perClass)
    {
        var set = Benchmark.ImageSets["fashion-mnist-test"];
        var all = Benchmark.Images("fashion-mnist-test");
        var images = new List<RasterImage>();
        var labels = new List<int>();
        foreach (var c in classes)
        {
            var indices = Enumerable.Range(0, set.Labels.Count).Where(i => set.Labels[i] == c).Take(perClass).ToList();
            Assert.Equal(perClass, indices.Count);
            images.AddRange(indices.Select(i => all[i]));
            labels.AddRange(indices.Select(_ => c));
        }

        return (images, labels);
    }

    public void Dispose() => Featurizer.Dispose();
}

/// <summary>The method tests that featurize images: one featurizer for all of them, run one class at a time.</summary>
[CollectionDefinition(Name)]
public sealed class MethodCollection : ICollectionFixture<MethodFixture>
{
    public const string Name = "Method (featurizer)";
}
