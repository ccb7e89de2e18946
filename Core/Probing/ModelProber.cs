using Know2Vec.Core.Featurization;
using Know2Vec.Core.Imaging;
using Know2Vec.Core.Inference;
using Know2Vec.Core.Knowledge;
using Microsoft.Extensions.Options;

namespace Know2Vec.Core.Probing;

/// <summary>
/// Black-box probing: runs a model on the probe pool and reads only its outputs.
/// Nodes: per class, the probes the model assigns to it most confidently. Boundaries: per ordered
/// class pair (i, j), bisection on the segment from i's best node to j's best node using only the
/// model's argmax; b_ij is the last point still assigned to i (i's side of the boundary facing j).
/// The knowledge tensor holds the featurizer's view of both.
/// </summary>
public sealed class ModelProber(IFeaturizer featurizer, ProbePool pool, IOptions<ProbingOptions> options)
{
    private readonly ProbingOptions _options = options.Value;

    public string ProbePoolVersion => pool.Version;

    /// <summary>Probes <paramref name="model"/>, whose outputs are <paramref name="classes"/> logits.</summary>
    public KnowledgeTensor Probe(OnnxClassifier model, int classes, CancellationToken cancellationToken)
    {
        if (classes > _options.MaxClasses)
        {
            throw new ModelOutputNotSupportedException(
                $"the model has {classes} classes; probing is limited to {_options.MaxClasses} (Know2Vec:Probing:MaxClasses)");
        }

        var logits = model.Predict(pool.Images, cancellationToken);
        if (logits.Length > 0 && logits[0].Length != classes)
        {
            throw new ModelOutputNotSupportedException(
                $"the model outputs {logits[0].Length} values per image but its manifest lists {classes} labels");
        }

        var nodes = SelectNodes(logits, classes, _options.NodesPerClass);
        var reached = nodes.Select(n => n.Count > 0).ToArray();

        // Every image to featurize, in one batch: all nodes, then the boundary samples.
        var images = new List<RasterImage>();
        var nodeSlices = new (int Start, int Count)[classes];
        for (var c = 0; c < classes; c++)
        {
            nodeSlices[c] = (images.Count, nodes[c].Count);
            images.AddRange(nodes[c].Select(i => pool.Images[i]));
        }

        var pairs = new List<(int I, int J)>();
        if (_options.Boundaries)
        {
            for (var i = 0; i < classes; i++)
            {
                for (var j = 0; j < classes; j++)
                {
                    if (i != j && reached[i] && reached[j])
                    {
                        pairs.Add((i, j));
                    }
                }
            }

            images.AddRange(Bisect(model, pairs, nodes, cancellationToken));
        }

        var features = featurizer.Featurize(images, cancellationToken);
        var d = featurizer.Dimension;
        var data = new float[classes * classes * d];
        for (var c = 0; c < classes; c++)
        {
            var (start, count) = nodeSlices[c];
            var target = data.AsSpan(((c * classes) + c) * d, d);
            for (var k = 0; k < count; k++)
            {
                System.Numerics.Tensors.TensorPrimitives.Add(target, features[start + k], target);
            }

            if (count > 0)
            {
                System.Numerics.Tensors.TensorPrimitives.Divide(target, count, target);
            }
        }

        var boundaryStart = nodeSlices.Sum(s => s.Count);
        for (var p = 0; p < pairs.Count; p++)
        {
            var (i, j) = pairs[p];
            features[boundaryStart + p].CopyTo(data.AsSpan(((i * classes) + j) * d, d));
        }

        return new KnowledgeTensor(classes, d, data, reached, pool.Version);
    }

    /// <summary>Per class, the indices of up to <paramref name="perClass"/> probes it wins, most confident first.</summary>
    internal static List<int>[] SelectNodes(float[][] logits, int classes, int perClass)
    {
        var candidates = Enumerable.Range(0, classes).Select(_ => new List<(float Margin, int Index)>()).ToArray();
        for (var n = 0; n < logits.Length; n++)
        {
            var probs = OnnxClassifier.Softmax(logits[n]);
            var best = ArgMax(probs);
            candidates[best].Add((probs[best], n));
        }

        // Ties broken by probe index so that re-probing gives the same nodes.
        return candidates
            .Select(list => list.OrderByDescending(x => x.Margin).ThenBy(x => x.Index).Take(perClass).Select(x => x.Index).ToList())
            .ToArray();
    }

    /// <summary>All pairs bisected together: one model run per step over every pair's midpoint.</summary>
    private IEnumerable<RasterImage> Bisect(OnnxClassifier model, List<(int I, int J)> pairs, List<int>[] nodes, CancellationToken cancellationToken)
    {
        var lo = new float[pairs.Count];
        var hi = Enumerable.Repeat(1f, pairs.Count).ToArray();
        for (var step = 0; step < _options.BisectionSteps; step++)
        {
            var mids = pairs.Select((p, k) => Mix(pool.Images[nodes[p.I][0]], pool.Images[nodes[p.J][0]], (lo[k] + hi[k]) / 2)).ToList();
            var logits = model.Predict(mids, cancellationToken);
            for (var k = 0; k < pairs.Count; k++)
            {
                var mid = (lo[k] + hi[k]) / 2;
                if (ArgMax(logits[k]) == pairs[k].I)
                {
                    lo[k] = mid;
                }
                else
                {
                    hi[k] = mid;
                }
            }
        }

        return pairs.Select((p, k) => Mix(pool.Images[nodes[p.I][0]], pool.Images[nodes[p.J][0]], lo[k]));
    }

    /// <summary>(1 - t)·a + t·b, pixel by pixel (both images have the probe pool's size).</summary>
    internal static RasterImage Mix(RasterImage a, RasterImage b, float t)
    {
        var pixels = new float[a.Pixels.Length];
        for (var i = 0; i < pixels.Length; i++)
        {
            pixels[i] = ((1 - t) * a.Pixels[i]) + (t * b.Pixels[i]);
        }

        return new RasterImage(a.Width, a.Height, pixels, a.Channels);
    }

    private static int ArgMax(ReadOnlySpan<float> values)
    {
        var best = 0;
        for (var i = 1; i < values.Length; i++)
        {
            if (values[i] > values[best])
            {
                best = i;
            }
        }

        return best;
    }
}
