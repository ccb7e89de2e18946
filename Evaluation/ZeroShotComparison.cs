using Know2Vec.Core.Alignment;
using Know2Vec.Core.Featurization;
using Know2Vec.Core.Inference;
using Know2Vec.Core.Probing;
using Know2Vec.Core.Querying;
using Know2Vec.Evaluation.Benchmark;
using Microsoft.Extensions.Options;

namespace Know2Vec.Evaluation;

/// <summary>
/// `zero-shot`: compares parameter-free encoders on a benchmark split (ranking quality against the
/// ground truth), the measurement behind the service's zero-shot choice.
/// </summary>
public static class ZeroShotComparison
{
    public static int Run(CommandLine cmd)
    {
        var split = cmd.Option("--split") ?? BenchmarkData.MetaTest;
        var cacheDir = cmd.CacheDirectory;
        var data = BenchmarkData.Load(BenchmarkData.FindZooManifestsDirectory(Directory.GetCurrentDirectory()));
        using var pipeline = BenchmarkPipeline.Create(data, cacheDir, new ProbingOptions { NodesPerClass = int.Parse(cmd.Option("--nodes") ?? "5") });
        var (sessions, featurizer, pool, cache) = (pipeline.Sessions, pipeline.Featurizer, pipeline.Pool, pipeline.Cache);

        var tasks = data.Tasks.Where(t => split == "all" || t.Split == split).ToList();
        var modelIds = tasks.SelectMany(t => t.Models).ToList();
        var models = modelIds.Select(id => data.Manifest.Models.Single(m => m.Id == id)).ToList();
        var queries = data.Queries.Where(q => tasks.Any(t => t.Id == q.Task)).ToList();
        Console.WriteLine($"split {split}: {tasks.Count} tasks, {models.Count} models, {queries.Count} query sets");

        var watch = System.Diagnostics.Stopwatch.StartNew();
        var knowledge = models.Select((m, i) =>
        {
            var k = cache.Knowledge(m);
            Console.Write($"\rprobed {i + 1}/{models.Count}");
            return k;
        }).ToList();
        Console.WriteLine($" ({watch.Elapsed.TotalSeconds:F0}s)");
        var queryFeatures = queries.Select(q => cache.QueryFeatures(q)).ToList();
        var poolFeatures = cache.Cached(Path.Combine(cacheDir, $"probe-pool-{pool.Version}.{pipeline.SettingsKey}.f32"), () => featurizer.Featurize(pool.Images));
        var centre = ZeroShotAlignment.Mean(poolFeatures);
        if (cmd.Option("--soft") is { } soft)
        {
            // Experiment: class vectors as the confidence-weighted mean of the features of all probes the model assigns to the class.
            var power = float.Parse(soft, System.Globalization.CultureInfo.InvariantCulture);
            knowledge = models.Select(m =>
            {
                using var classifier = new OnnxClassifier(Know2Vec.Core.Zoo.ManifestValidator.ResolveUnderRoot(data.ZooManifestsDirectory, m.File)!, sessions, m.Input);
                var logits = classifier.Predict(pool.Images);
                var c = m.Labels.Count;
                var d = featurizer.Dimension;
                var sums = new float[c * c * d];
                var weights = new float[c];
                for (var n = 0; n < logits.Length; n++)
                {
                    var p = OnnxClassifier.Softmax(logits[n]);
                    var best = Array.IndexOf(p, p.Max());
                    var w = MathF.Pow(p[best], power);
                    weights[best] += w;
                    System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(poolFeatures[n], w, sums.AsSpan(((best * c) + best) * d, d), sums.AsSpan(((best * c) + best) * d, d));
                }

                for (var k = 0; k < c; k++)
                {
                    if (weights[k] > 0)
                    {
                        System.Numerics.Tensors.TensorPrimitives.Divide(sums.AsSpan(((k * c) + k) * d, d), weights[k], sums.AsSpan(((k * c) + k) * d, d));
                    }
                }

                return new Know2Vec.Core.Knowledge.KnowledgeTensor(c, d, sums, weights.Select(w => w > 0).ToArray(), pool.Version);
            }).ToList();
        }

        Console.WriteLine($"features ready ({watch.Elapsed.TotalSeconds:F0}s)");

        var truthRow = data.GroundTruth.Queries.Select((id, i) => (id, i)).ToDictionary(x => x.id, x => x.i);
        var truthCol = data.GroundTruth.Models.Select((id, i) => (id, i)).ToDictionary(x => x.id, x => x.i);
        var zeros = new float[featurizer.Dimension];

        var methods = new (string Name, IAlignment Alignment, int Chamfer)[]
        {
    ("mean, uncentred", new ZeroShotAlignment(zeros), 0),
    ("mean, centred", new ZeroShotAlignment(centre), 0),
    ("mean+boundaries, centred", new ZeroShotAlignment(centre, useBoundaries: true), 0),
    ("class-set match, uncentred", new ZeroShotAlignment(zeros), 2),
    ("class-set match, centred", new ZeroShotAlignment(centre), 2),
    ("query->model match, uncentred", new ZeroShotAlignment(zeros), 1),
    ("query->model match, centred", new ZeroShotAlignment(centre), 1),
        };

        Console.WriteLine($"{"method",-28} {"top1",6} {"top5",6} {"regret@1",9} {"own-task top1",14}");
        foreach (var (name, alignment, chamfer) in methods)
        {
            var modelVectors = knowledge.Select(alignment.EncodeModel).ToList();
            var modelClasses = knowledge.Select(alignment.ModelClassVectors).ToList();
            double top1 = 0, top5 = 0, regret = 0, ownTask = 0;
            for (var qi = 0; qi < queries.Count; qi++)
            {
                var q = queries[qi];
                var classes = q.Classes.Distinct()
                    .Select(c => new QueryClass($"c{c}", queryFeatures[qi].Where((_, i) => q.Classes[i] == c).ToList()))
                    .ToList();
                var scores = chamfer > 0
                    ? modelClasses.Select(mc => ClassSetMatching.Score(alignment.QueryClassVectors(classes), mc, symmetric: chamfer == 2)).ToArray()
                    : modelVectors.Select(v => System.Numerics.Tensors.TensorPrimitives.Dot(v, alignment.EncodeQuery(classes))).ToArray();
                var order = Enumerable.Range(0, models.Count).OrderByDescending(i => scores[i]).ToList();
                var fits = models.Select(m => data.GroundTruth.Fit[truthRow[q.Id]][truthCol[m.Id]]).ToArray();
                var scored = scores.Select(v => (double)v).ToArray();
                top1 += Know2Vec.Evaluation.Metrics.RankingMetrics.Top1(fits, scored);
                top5 += Know2Vec.Evaluation.Metrics.RankingMetrics.TopK(fits, scored, 5);
                regret += Know2Vec.Evaluation.Metrics.RankingMetrics.RegretAt1(fits, scored);
                ownTask += tasks.Single(t => t.Id == q.Task).Models.Contains(models[order[0]].Id) ? 1 : 0;
            }

            var n = queries.Count;
            Console.WriteLine($"{name,-28} {top1 / n,6:F3} {top5 / n,6:F3} {regret / n,9:F3} {ownTask / n,14:F3}");
        }

        return 0;
    }
}
