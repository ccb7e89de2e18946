using Know2Vec.Core.Featurization;
using Know2Vec.Core.Inference;
using Know2Vec.Core.Knowledge;
using Know2Vec.Core.Probing;
using Know2Vec.Core.Zoo;
using Know2Vec.Evaluation.Benchmark;

namespace Know2Vec.Evaluation;

/// <summary>
/// Probes benchmark models and featurizes query sets once, keeping the results in a cache folder
/// (knowledge tensors in the same bytes the catalog stores), so that comparing encoders never
/// re-probes.
/// </summary>
public sealed class BenchmarkCache(BenchmarkData data, IFeaturizer featurizer, ModelProber prober, OnnxSessionFactory sessions, string folder, string settingsKey)
{
    public KnowledgeTensor Knowledge(ManifestModel model)
    {
        var path = Path.Combine(folder, "knowledge", $"{model.Id}.{prober.ProbePoolVersion}.{settingsKey}.k2vk");
        if (File.Exists(path))
        {
            return KnowledgeTensor.FromBytes(File.ReadAllBytes(path));
        }

        using var classifier = new OnnxClassifier(
            ManifestValidator.ResolveUnderRoot(data.ZooManifestsDirectory, model.File)!, sessions, model.Input);
        var knowledge = prober.Probe(classifier, model.Labels.Count, CancellationToken.None);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        WriteAtomically(path, knowledge.ToBytes());
        return knowledge;
    }

    public float[][] QueryFeatures(BenchmarkQuery query) =>
        Cached(Path.Combine(folder, "queries", $"{query.Id}.{settingsKey}.f32"), () => featurizer.Featurize(data.QueryImages(query)));

    public float[][] Cached(string path, Func<float[][]> compute)
    {
        if (File.Exists(path))
        {
            var bytes = File.ReadAllBytes(path);
            var rows = BitConverter.ToInt32(bytes, 0);
            var cols = BitConverter.ToInt32(bytes, 4);
            var all = new float[rows * cols];
            Buffer.BlockCopy(bytes, 8, all, 0, all.Length * 4);
            return Enumerable.Range(0, rows).Select(r => all.AsSpan(r * cols, cols).ToArray()).ToArray();
        }

        var result = compute();
        using var buffer = new MemoryStream();
        using (var writer = new BinaryWriter(buffer, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(result.Length);
            writer.Write(result.Length == 0 ? 0 : result[0].Length);
            foreach (var v in result.SelectMany(row => row))
            {
                writer.Write(v);
            }
        }

        WriteAtomically(path, buffer.ToArray());
        return result;
    }

    /// <summary>
    /// The cache key of every setting that changes what is cached: probing (nodes, bisection steps,
    /// boundaries) and featurizer input handling (polarity, scale). Changing any of them misses the cache.
    /// </summary>
    public static string SettingsKey(ProbingOptions probing, FeaturizerOptions featurizer) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"n{probing.NodesPerClass}-s{probing.BisectionSteps}-b{(probing.Boundaries ? 1 : 0)}-i{(featurizer.InvertPolarity ? 1 : 0)}-x{featurizer.InputScale}");

    /// <summary>A crash mid-write leaves no truncated cache file: write beside it, then rename.</summary>
    private static void WriteAtomically(string path, byte[] bytes)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temporary = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
        File.WriteAllBytes(temporary, bytes);
        File.Move(temporary, path, overwrite: true);
    }
}
