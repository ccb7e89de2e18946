using Know2Vec.Core.Benchmark;
using Know2Vec.Core.Featurization;
using Know2Vec.Core.Inference;
using Know2Vec.Core.Knowledge;
using Know2Vec.Core.Probing;
using Know2Vec.Core.Zoo;

namespace Know2Vec.Evaluation;

/// <summary>
/// Probes benchmark models and featurizes query sets once, keeping the results in a cache folder
/// (knowledge tensors in the same bytes the catalog stores), so that comparing encoders never
/// re-probes.
/// </summary>
public sealed class BenchmarkCache(BenchmarkData data, IFeaturizer featurizer, ModelProber prober, OnnxSessionFactory sessions, string folder, string probingKey)
{
    public KnowledgeTensor Knowledge(ManifestModel model)
    {
        var path = Path.Combine(folder, "knowledge", $"{model.Id}.{prober.ProbePoolVersion}.{probingKey}.k2vk");
        if (File.Exists(path))
        {
            return KnowledgeTensor.FromBytes(File.ReadAllBytes(path));
        }

        using var classifier = new OnnxClassifier(
            ManifestValidator.ResolveUnderRoot(data.ZooManifestsDirectory, model.File)!, sessions, model.Input.ValueRange);
        var knowledge = prober.Probe(classifier, model.Labels.Count, CancellationToken.None);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, knowledge.ToBytes());
        return knowledge;
    }

    public float[][] QueryFeatures(BenchmarkQuery query) =>
        Cached(Path.Combine(folder, "queries", $"{query.Id}.f32"), () => featurizer.Featurize(data.QueryImages(query)));

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
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var stream = File.Create(path);
        using var writer = new BinaryWriter(stream);
        writer.Write(result.Length);
        writer.Write(result.Length == 0 ? 0 : result[0].Length);
        foreach (var row in result)
        {
            foreach (var v in row)
            {
                writer.Write(v);
            }
        }

        return result;
    }
}
