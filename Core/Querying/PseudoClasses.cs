using System.Numerics.Tensors;

namespace Know2Vec.Core.Querying;

/// <summary>
/// Groups unlabelled query samples into pseudo-classes: k-means on centred unit-length features with k
/// chosen by the mean silhouette (cosine distance), deterministic (k-means++ seeding from a fixed
/// seed), so the same images always give the same groups.
/// </summary>
public static class PseudoClasses
{
    /// <summary>Cluster index per sample. One cluster when there are fewer than 4 samples.</summary>
    public static int[] Assign(IReadOnlyList<float[]> features, int maxClusters = 10)
    {
        var n = features.Count;
        if (n < 4)
        {
            return new int[n];
        }

        // Centred on the query's own mean: ResNet features share a large common component that
        // compresses cosine distances and made the silhouette over-split small queries.
        var mean = Alignment.ZeroShotAlignment.Mean(features);
        var unit = features.Select(f =>
        {
            var v = new float[f.Length];
            TensorPrimitives.Subtract(f, mean, v);
            return Alignment.ZeroShotAlignment.Normalised(v);
        }).ToArray();

        var distance = new float[n, n];
        for (var i = 0; i < n; i++)
        {
            for (var j = i + 1; j < n; j++)
            {
                distance[i, j] = distance[j, i] = 1 - TensorPrimitives.Dot(unit[i], unit[j]);
            }
        }

        int[]? best = null;
        var bestScore = double.NegativeInfinity;
        for (var k = 2; k <= Math.Min(maxClusters, n / 2); k++)
        {
            var labels = KMeans(unit, k, seed: 17);
            var score = Silhouette(distance, labels, k);
            if (score > bestScore)
            {
                (best, bestScore) = (labels, score);
            }
        }

        return best ?? new int[n];
    }

    internal static int[] KMeans(float[][] points, int k, int seed, int iterations = 50)
    {
        var random = new Random(seed);
        var n = points.Length;
        var centres = new List<float[]> { points[random.Next(n)].ToArray() };
        var nearest = new float[n];
        while (centres.Count < k)
        {
            // k-means++: next centre drawn with probability proportional to squared distance.
            for (var i = 0; i < n; i++)
            {
                nearest[i] = centres.Min(c => TensorPrimitives.Distance(points[i], c)) is var d ? d * d : 0;
            }

            var total = nearest.Sum();
            var pick = random.NextDouble() * total;
            var chosen = 0;
            for (double acc = 0; chosen < n - 1; chosen++)
            {
                acc += nearest[chosen];
                if (acc >= pick)
                {
                    break;
                }
            }

            centres.Add(points[chosen].ToArray());
        }

        var labels = new int[n];
        for (var iteration = 0; iteration < iterations; iteration++)
        {
            var changed = false;
            for (var i = 0; i < n; i++)
            {
                var label = 0;
                var bestDistance = float.MaxValue;
                for (var c = 0; c < k; c++)
                {
                    var d = TensorPrimitives.Distance(points[i], centres[c]);
                    if (d < bestDistance)
                    {
                        (label, bestDistance) = (c, d);
                    }
                }

                changed |= labels[i] != label;
                labels[i] = label;
            }

            if (!changed && iteration > 0)
            {
                break;
            }

            for (var c = 0; c < k; c++)
            {
                var members = Enumerable.Range(0, n).Where(i => labels[i] == c).ToList();
                if (members.Count > 0)
                {
                    centres[c] = Alignment.ZeroShotAlignment.Mean(members.Select(i => points[i]).ToList());
                }
            }
        }

        return labels;
    }

    internal static double Silhouette(float[,] distance, int[] labels, int k)
    {
        var n = labels.Length;
        var sizes = new int[k];
        foreach (var l in labels)
        {
            sizes[l]++;
        }

        double total = 0;
        for (var i = 0; i < n; i++)
        {
            if (sizes[labels[i]] <= 1)
            {
                continue; // a singleton's silhouette is 0 by convention
            }

            var sums = new double[k];
            for (var j = 0; j < n; j++)
            {
                if (j != i)
                {
                    sums[labels[j]] += distance[i, j];
                }
            }

            var a = sums[labels[i]] / (sizes[labels[i]] - 1);
            var b = Enumerable.Range(0, k).Where(c => c != labels[i] && sizes[c] > 0).Select(c => sums[c] / sizes[c]).DefaultIfEmpty(a).Min();
            total += (b - a) / Math.Max(a, b);
        }

        return total / n;
    }
}
