using System.Numerics.Tensors;
using Know2Vec.Core.Featurization;
using Know2Vec.Core.Imaging;

namespace Know2Vec.Core.Tests;

[Collection(FeaturizerCollection.Name)]
public sealed class ResNet18FeaturizerTests(FeaturizerFixture fixture)
{
    // Measured on TestImages.Shapes(): 0.645 with the default normalisation, 0.9990 with a 0..1
    // input range (0.9996 on Fashion-MNIST in the feasibility run).
    private const double SpreadGuard = 0.99;

    private readonly ResNet18Featurizer _featurizer = fixture.Featurizer;

    [Fact]
    public void Produces_512_dimensional_features_per_image_in_order()
    {
        var images = TestImages.Shapes();

        var features = _featurizer.Featurize(images);

        Assert.Equal(512, _featurizer.Dimension);
        Assert.Equal(images.Count, features.Length);
        Assert.All(features, f => Assert.Equal(512, f.Length));
        Assert.All(features, f => Assert.All(f, v => Assert.True(float.IsFinite(v))));
    }

    [Fact]
    public void Distinct_images_give_spread_out_features()
    {
        // Found in the feasibility run: a wrong input range makes all features nearly identical (cos ≥ 0.9996).
        var features = _featurizer.Featurize(TestImages.Shapes());

        Assert.True(MeanPairwiseCosine(features) < SpreadGuard - 0.2, $"mean pairwise cosine {MeanPairwiseCosine(features):F4}");
    }

    [Fact]
    public void The_spread_guard_catches_a_zero_to_one_input_range()
    {
        // Feeding 0..1 to a graph that expects 0..255: the mean image dominates every input.
        using var wrong = FeaturizerFixture.Create(new FeaturizerOptions { InputScale = 1f });

        var features = wrong.Featurize(TestImages.Shapes());

        Assert.True(MeanPairwiseCosine(features) > SpreadGuard + 0.005, $"mean pairwise cosine {MeanPairwiseCosine(features):F5}");
    }

    [Fact]
    public void Batched_features_equal_one_at_a_time_features()
    {
        var images = TestImages.Shapes();
        using var smallBatches = FeaturizerFixture.Create(new FeaturizerOptions { BatchSize = 8 }); // 8 + 8 + 4

        var batched = _featurizer.Featurize(images);
        var chunked = smallBatches.Featurize(images);
        for (var i = 0; i < images.Count; i++)
        {
            var single = _featurizer.Featurize([images[i]])[0];
            AssertClose(single, batched[i], 1e-4f);
            AssertClose(single, chunked[i], 1e-4f);
        }
    }

    [Fact]
    public void Accepts_any_image_size()
    {
        var features = _featurizer.Featurize([TestImages.Noise(8, 8, 1), TestImages.Noise(300, 200, 2), TestImages.Constant(224, 224, 0.5f)]);

        Assert.All(features, f => Assert.Equal(512, f.Length));
    }

    [Fact]
    public void Empty_input_gives_no_features()
    {
        Assert.Empty(_featurizer.Featurize([]));
    }

    [Fact]
    public void A_cancelled_token_stops_featurizing()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();

        Assert.ThrowsAny<OperationCanceledException>(() => _featurizer.Featurize(TestImages.Shapes(), cts.Token));
    }

    [Fact]
    public void Missing_model_files_fail_with_the_path()
    {
        var directory = Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N"));

        var e = Assert.Throws<FileNotFoundException>(() => FeaturizerFixture.Create(new FeaturizerOptions { ModelDirectory = directory }));

        Assert.Contains(directory, e.Message, StringComparison.Ordinal);
    }

    internal static double MeanPairwiseCosine(float[][] features)
    {
        double sum = 0;
        var pairs = 0;
        for (var i = 0; i < features.Length; i++)
        {
            for (var j = i + 1; j < features.Length; j++)
            {
                sum += TensorPrimitives.CosineSimilarity(features[i], features[j]);
                pairs++;
            }
        }

        return sum / pairs;
    }

    private static void AssertClose(float[] expected, float[] actual, float tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var k = 0; k < expected.Length; k++)
        {
            Assert.True(Math.Abs(expected[k] - actual[k]) <= tolerance, $"feature {k}: {expected[k]} vs {actual[k]}");
        }
    }
}
