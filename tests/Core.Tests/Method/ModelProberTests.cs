using System.Numerics.Tensors;
using Know2Vec.Core.Alignment;
using Know2Vec.Core.Imaging;
using Know2Vec.Core.Inference;
using Know2Vec.Core.Knowledge;
using Know2Vec.Core.Probing;
using Microsoft.Extensions.Options;

namespace Know2Vec.Core.Tests.Method;

/// <summary>
/// Black-box probing with the real featurizer: a real benchmark model on the shipped probe pool,
/// and a hand-built linear model whose decision boundary is known in closed form, so that the
/// bisected boundary sample can be checked against the analytic one.
/// </summary>
[Collection(MethodCollection.Name)]
public sealed class ModelProberTests(MethodFixture fixture)
{
    // Features of the same image computed in different batches agree to float rounding.
    private const float FeatureTolerance = 1e-4f;

    [Fact]
    public void Real_model_gives_a_full_knowledge_tensor()
    {
        var model = fixture.StrongFashionModel(classes: 3);
        using var classifier = fixture.Classifier(model);
        var prober = Prober(fixture.Pool);

        var knowledge = prober.Probe(classifier, model.Labels.Count, CancellationToken.None);

        Assert.Equal(model.Labels.Count, knowledge.Classes);
        Assert.Equal(512, knowledge.Dimension);
        Assert.Equal("v1", knowledge.ProbePoolVersion);
        Assert.Equal("v1", prober.ProbePoolVersion);
        Assert.All(knowledge.Reached, Assert.True);
        for (var i = 0; i < knowledge.Classes; i++)
        {
            Assert.True(TensorPrimitives.Norm(knowledge.Node(i)) > 0, $"node row {i} is zero");
            for (var j = 0; j < knowledge.Classes; j++)
            {
                if (i != j)
                {
                    Assert.True(TensorPrimitives.Norm(knowledge.Boundary(i, j)) > 0, $"boundary row ({i},{j}) is zero");
                    Assert.False(knowledge.Boundary(i, j).SequenceEqual(knowledge.Boundary(j, i)), $"b_{i}{j} equals b_{j}{i}");
                }
            }
        }

        // The node row of class 0 is the mean feature of the probes the model is surest are class 0.
        var nodes = ModelProber.SelectNodes(classifier.Predict(fixture.Pool.Images), knowledge.Classes, new ProbingOptions().NodesPerClass);
        Assert.Equal(new ProbingOptions().NodesPerClass, nodes[0].Count);
        var expected = ZeroShotMean(fixture.Featurizer.Featurize(nodes[0].Select(i => fixture.Pool.Images[i]).ToList()));
        AssertClose(expected, knowledge.Node(0));
    }

    [Fact]
    public void Real_model_probing_is_deterministic_to_the_byte()
    {
        var model = fixture.StrongFashionModel(classes: 3);
        using var classifier = fixture.Classifier(model);

        var first = Prober(fixture.Pool).Probe(classifier, model.Labels.Count, CancellationToken.None).ToBytes();
        using var again = fixture.Classifier(model);
        var second = Prober(fixture.Pool).Probe(again, model.Labels.Count, CancellationToken.None).ToBytes();

        Assert.Equal(first, second);
    }

    [Fact]
    public void Real_model_boundary_samples_sit_on_their_own_side_one_step_before_the_flip()
    {
        var model = fixture.StrongFashionModel(classes: 3);
        using var classifier = fixture.Classifier(model);
        var options = new ProbingOptions();
        var knowledge = Prober(fixture.Pool).Probe(classifier, model.Labels.Count, CancellationToken.None);
        var nodes = ModelProber.SelectNodes(classifier.Predict(fixture.Pool.Images), knowledge.Classes, options.NodesPerClass);
        var step = MathF.Pow(2, -options.BisectionSteps);

        var samples = new List<RasterImage>();
        var pairs = new List<(int I, int J)>();
        for (var i = 0; i < knowledge.Classes; i++)
        {
            for (var j = 0; j < knowledge.Classes; j++)
            {
                if (i == j)
                {
                    continue;
                }

                var (from, to) = (fixture.Pool.Images[nodes[i][0]], fixture.Pool.Images[nodes[j][0]]);
                var t = Bisect(classifier, from, to, i, options.BisectionSteps);
                var before = ModelProber.Mix(from, to, t);
                var after = ModelProber.Mix(from, to, t + step);
                Assert.Equal(i, ArgMax(classifier.Predict([before])[0]));
                Assert.NotEqual(i, ArgMax(classifier.Predict([after])[0]));
                samples.Add(before);
                pairs.Add((i, j));
            }
        }

        // The prober stored the featurizer's view of exactly these samples.
        var features = fixture.Featurizer.Featurize(samples);
        for (var p = 0; p < pairs.Count; p++)
        {
            AssertClose(features[p], knowledge.Boundary(pairs[p].I, pairs[p].J));
        }
    }

    [Theory]
    [InlineData(4)]
    [InlineData(8)]
    [InlineData(12)]
    public void Linear_model_boundary_is_the_last_bisection_point_before_the_analytic_boundary(int steps)
    {
        var (a, b) = (TestImages.Shapes()[1], TestImages.Shapes()[8]);
        var (ma, mb) = (a.Pixels.Average(), b.Pixels.Average());
        Assert.True(mb - ma > 0.1f, $"means {ma} and {mb} are too close for the test");

        // The model says class 1 when the mean intensity exceeds theta; on the segment a → b that
        // happens from t* on. t* = 0.4123 stays clear of every multiple of 2^-steps tried here.
        const float tStar = 0.4123f;
        var theta = ma + (tStar * (mb - ma));
        using var classifier = MeanThresholdClassifier(theta);
        var c = ModelProber.Mix(a, b, 0.2f); // class 0, less sure than a
        var d = ModelProber.Mix(a, b, 0.8f); // class 1, less sure than b
        var pool = new ProbePool("test-linear", [c, b, a, d]);

        var knowledge = Prober(pool, new ProbingOptions { BisectionSteps = steps })
            .Probe(classifier, 2, CancellationToken.None);

        var scale = MathF.Pow(2, steps);
        var lo01 = MathF.Floor(tStar * scale) / scale; // on a's side, facing b
        var lo10 = MathF.Floor((1 - tStar) * scale) / scale; // on b's side, facing a
        Assert.InRange(tStar - lo01, 0, 1 / scale);

        // b_01 is still class 0 and one bisection step further towards b is class 1 (and mirrored).
        Assert.Equal([0, 1, 1, 0], Predicted(classifier,
            ModelProber.Mix(a, b, lo01), ModelProber.Mix(a, b, lo01 + (1 / scale)),
            ModelProber.Mix(b, a, lo10), ModelProber.Mix(b, a, lo10 + (1 / scale))));

        var expected = fixture.Featurizer.Featurize([a, c, b, d, ModelProber.Mix(a, b, lo01), ModelProber.Mix(b, a, lo10)]);
        Assert.Equal([true, true], knowledge.Reached);
        Assert.Equal("test-linear", knowledge.ProbePoolVersion);
        AssertClose(ZeroShotMean([expected[0], expected[1]]), knowledge.Node(0)); // nodes: a and c
        AssertClose(ZeroShotMean([expected[2], expected[3]]), knowledge.Node(1)); // nodes: b and d
        AssertClose(expected[4], knowledge.Boundary(0, 1));
        AssertClose(expected[5], knowledge.Boundary(1, 0));
    }

    [Fact]
    public void Linear_model_boundary_is_closer_to_its_own_sample_than_to_the_neighbouring_steps()
    {
        var (a, b) = (TestImages.Shapes()[1], TestImages.Shapes()[8]);
        var (ma, mb) = (a.Pixels.Average(), b.Pixels.Average());
        const float tStar = 0.4123f;
        using var classifier = MeanThresholdClassifier(ma + (tStar * (mb - ma)));
        var knowledge = Prober(new ProbePool("test-linear", [a, b])).Probe(classifier, 2, CancellationToken.None);

        const float step = 1 / 256f;
        var lo = MathF.Floor(tStar * 256) / 256;
        var candidates = fixture.Featurizer.Featurize([ModelProber.Mix(a, b, lo - step), ModelProber.Mix(a, b, lo), ModelProber.Mix(a, b, lo + step)]);
        var distances = candidates.Select(f => TensorPrimitives.Distance(f, knowledge.Boundary(0, 1))).ToArray();

        Assert.True(distances[1] < distances[0] && distances[1] < distances[2], $"distances {string.Join(", ", distances)}");
        Assert.True(distances[1] < distances[0] / 10, $"distances {string.Join(", ", distances)}");
    }

    [Fact]
    public void Unreached_class_has_zero_rows_and_no_boundaries()
    {
        using var classifier = MeanThresholdClassifier(theta: 2f); // no image is that bright: class 1 is never predicted
        var images = TestImages.Shapes().Take(4).ToList();

        var knowledge = Prober(new ProbePool("test-unreached", images)).Probe(classifier, 2, CancellationToken.None);

        Assert.Equal([true, false], knowledge.Reached);
        Assert.True(knowledge.Node(1).ToArray().All(v => v == 0));
        Assert.True(knowledge.Boundary(0, 1).ToArray().All(v => v == 0));
        Assert.True(knowledge.Boundary(1, 0).ToArray().All(v => v == 0));
        AssertClose(ZeroShotMean(fixture.Featurizer.Featurize(images)), knowledge.Node(0)); // all four, fewer than NodesPerClass
    }

    [Fact]
    public void Without_boundaries_only_the_diagonal_is_filled()
    {
        var (a, b) = (TestImages.Shapes()[1], TestImages.Shapes()[8]);
        using var classifier = MeanThresholdClassifier((a.Pixels.Average() + b.Pixels.Average()) / 2);

        var knowledge = Prober(new ProbePool("test", [a, b]), new ProbingOptions { Boundaries = false }).Probe(classifier, 2, CancellationToken.None);

        Assert.Equal([true, true], knowledge.Reached);
        Assert.True(TensorPrimitives.Norm(knowledge.Node(0)) > 0);
        Assert.True(TensorPrimitives.Norm(knowledge.Node(1)) > 0);
        Assert.True(knowledge.Boundary(0, 1).ToArray().All(v => v == 0));
        Assert.True(knowledge.Boundary(1, 0).ToArray().All(v => v == 0));
    }

    [Fact]
    public void Output_count_that_differs_from_the_label_count_is_refused()
    {
        using var classifier = MeanThresholdClassifier(0.5f);

        var e = Assert.Throws<ModelOutputNotSupportedException>(() =>
            Prober(new ProbePool("test", TestImages.Shapes())).Probe(classifier, 3, CancellationToken.None));
        Assert.Contains("2 values", e.Message);
        Assert.Contains("3 labels", e.Message);
    }

    [Fact]
    public void Cancelled_probe_throws()
    {
        using var classifier = MeanThresholdClassifier(0.5f);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        Assert.ThrowsAny<OperationCanceledException>(() =>
            Prober(new ProbePool("test", TestImages.Shapes())).Probe(classifier, 2, cancelled.Token));
    }

    [Fact]
    public void SelectNodes_picks_the_most_confident_probes_per_class_ties_by_index()
    {
        float[][] logits =
        [
            [2, 0, 0],  // 0: class 0, p ≈ 0.787
            [5, 0, 0],  // 1: class 0, most confident
            [0, 3, 0],  // 2: class 1
            [2, 0, 0],  // 3: class 0, ties with 0
            [0, 1, 0],  // 4: class 1, least confident
            [0, 3, 0],  // 5: class 1, ties with 2
            [2, 0, 0],  // 6: class 0, ties with 0 and 3
        ];

        var nodes = ModelProber.SelectNodes(logits, classes: 3, perClass: 3);

        Assert.Equal([1, 0, 3], nodes[0]);
        Assert.Equal([2, 5, 4], nodes[1]);
        Assert.Empty(nodes[2]); // class 2 never wins: unreached
    }

    [Fact]
    public void SelectNodes_keeps_at_most_per_class_and_uses_softmax_confidence()
    {
        // Same winning logit, different runner-up: the larger gap is the surer prediction.
        float[][] logits = [[3, 2.9f], [3, -1], [3, 1], [0, 4]];

        var nodes = ModelProber.SelectNodes(logits, classes: 2, perClass: 2);

        Assert.Equal([1, 2], nodes[0]);
        Assert.Equal([3], nodes[1]);
        Assert.All(ModelProber.SelectNodes([], 2, 5), Assert.Empty);
    }

    [Fact]
    public void Mix_interpolates_pixel_by_pixel()
    {
        var a = new RasterImage(2, 1, [0f, 1f]);
        var b = new RasterImage(2, 1, [1f, 0.5f]);

        Assert.Equal(a.Pixels, ModelProber.Mix(a, b, 0).Pixels);
        Assert.Equal(b.Pixels, ModelProber.Mix(a, b, 1).Pixels);
        Assert.Equal([0.25f, 0.875f], ModelProber.Mix(a, b, 0.25f).Pixels);
        Assert.Equal((2, 1), (ModelProber.Mix(a, b, 0.5f).Width, ModelProber.Mix(a, b, 0.5f).Height));
    }

    /// <summary>logit0 = 0, logit1 = mean(x) − theta: class 1 exactly when the mean intensity exceeds theta.</summary>
    internal static OnnxClassifier MeanThresholdClassifier(float theta)
    {
        var weights = new float[784, 2];
        for (var p = 0; p < 784; p++)
        {
            weights[p, 1] = 1f / 784;
        }

        var path = TinyModels.Write(TinyModels.Gemm(TinyModels.Flat(784), weights, [0f, -theta]));
        return new OnnxClassifier(path, FeaturizerFixture.CpuSessions());
    }

    /// <summary>An independent bisection: the last t on from → to still predicted as class <paramref name="i"/>.</summary>
    private static float Bisect(OnnxClassifier classifier, RasterImage from, RasterImage to, int i, int steps)
    {
        var (lo, hi) = (0f, 1f);
        for (var s = 0; s < steps; s++)
        {
            var mid = (lo + hi) / 2;
            if (ArgMax(classifier.Predict([ModelProber.Mix(from, to, mid)])[0]) == i)
            {
                lo = mid;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    [Fact]
    public void A_model_with_more_classes_than_the_cap_is_refused_before_it_runs()
    {
        using var classifier = MeanThresholdClassifier(0.5f);

        var e = Assert.Throws<ModelOutputNotSupportedException>(() =>
            Prober(new ProbePool("test", TestImages.Shapes()), new ProbingOptions { MaxClasses = 2 }).Probe(classifier, 3, CancellationToken.None));
        Assert.Contains("Know2Vec:Probing:MaxClasses", e.Message);
    }

    private ModelProber Prober(ProbePool pool, ProbingOptions? options = null) =>
        new(fixture.Featurizer, pool, Options.Create(options ?? new ProbingOptions()));

    private static int[] Predicted(OnnxClassifier classifier, params RasterImage[] images) =>
        classifier.Predict(images).Select(ArgMax).ToArray();

    private static int ArgMax(float[] values) => Array.IndexOf(values, values.Max());

    private static float[] ZeroShotMean(IReadOnlyList<float[]> features) => ZeroShotAlignment.Mean(features);

    private static void AssertClose(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        var worst = 0f;
        for (var k = 0; k < expected.Length; k++)
        {
            worst = MathF.Max(worst, MathF.Abs(expected[k] - actual[k]));
        }

        Assert.True(worst <= FeatureTolerance * MathF.Max(1, TensorPrimitives.MaxMagnitude(expected)), $"max difference {worst}");
    }
}
