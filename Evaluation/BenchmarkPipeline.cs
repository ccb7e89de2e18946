using Know2Vec.Core.Featurization;
using Know2Vec.Core.Inference;
using Know2Vec.Core.Probing;
using Know2Vec.Evaluation.Benchmark;
using Microsoft.Extensions.Options;

namespace Know2Vec.Evaluation;

/// <summary>
/// The indexer's pipeline as every evaluation command needs it, built in one place: ONNX sessions on
/// the CPU, the ResNet18 featurizer with the service's default settings, the probe pool, the prober
/// and the cache of knowledge tensors and query features keyed by all of those settings.
/// </summary>
public sealed class BenchmarkPipeline : IDisposable
{
    private BenchmarkPipeline(BenchmarkData data, string cacheDirectory, ProbingOptions probing, string? probePoolDirectory)
    {
        Sessions = new OnnxSessionFactory(Options.Create(new InferenceOptions()));
        FeaturizerOptions = new FeaturizerOptions();
        Featurizer = new ResNet18Featurizer(Options.Create(FeaturizerOptions), Sessions);
        Pool = ProbePool.Load(probePoolDirectory ?? Path.Combine(data.ZooManifestsDirectory, "probe-pool", "v1"));
        Probing = probing;
        SettingsKey = BenchmarkCache.SettingsKey(probing, FeaturizerOptions);
        Cache = new BenchmarkCache(data, Featurizer, new ModelProber(Featurizer, Pool, Options.Create(probing)), Sessions, cacheDirectory, SettingsKey);
    }

    public OnnxSessionFactory Sessions { get; }

    public FeaturizerOptions FeaturizerOptions { get; }

    public ResNet18Featurizer Featurizer { get; }

    public ProbePool Pool { get; }

    public ProbingOptions Probing { get; }

    /// <summary>Every probing and featurizer setting, as the cache's file names carry it.</summary>
    public string SettingsKey { get; }

    public BenchmarkCache Cache { get; }

    /// <param name="data">The benchmark.</param>
    /// <param name="cacheDirectory">Where probed knowledge and query features are kept between runs.</param>
    /// <param name="probing">Probing settings; the service's defaults when null.</param>
    /// <param name="probePoolDirectory">Another probe pool; the benchmark's probe-pool/v1 when null.</param>
    public static BenchmarkPipeline Create(BenchmarkData data, string cacheDirectory, ProbingOptions? probing = null, string? probePoolDirectory = null) =>
        new(data, cacheDirectory, probing ?? new ProbingOptions(), probePoolDirectory);

    public void Dispose() => Featurizer.Dispose();
}
