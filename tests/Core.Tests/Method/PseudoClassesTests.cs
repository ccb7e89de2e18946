using Know2Vec.Core.Querying;
using Xunit.Abstractions;

namespace Know2Vec.Core.Tests.Method;

/// <summary>Pseudo-classes for unlabelled queries, on real featurized Fashion-MNIST images.</summary>
[Collection(MethodCollection.Name)]
public sealed class PseudoClassesTests(MethodFixture fixture, ITestOutputHelper output)
{
    // Trouser, Bag, Ankle boot: three classes that look nothing alike.
    private static readonly int[] DistinctClasses = [1, 8, 9];

    [Fact]
    public void Three_clearly_different_classes_give_three_clusters_that_match_them()
    {
        var (images, truth) = fixture.FashionTestImages(DistinctClasses, perClass: 10);
        var features = fixture.Featurizer.Featurize(images);

        var clusters = PseudoClasses.Assign(features);

        Assert.Equal(images.Count, clusters.Length);
        Assert.Equal(3, clusters.Distinct().Count());
        var purity = Purity(clusters, truth);
        var ari = AdjustedRandIndex(clusters, truth);
        output.WriteLine($"clusters {string.Join(",", clusters)}; purity {purity:F3}; adjusted Rand {ari:F3}");
        Assert.True(purity >= 0.8, $"purity {purity:F3}");
        Assert.True(ari >= 0.6, $"adjusted Rand index {ari:F3}");

        // Deterministic: the same features (even a fresh copy) give the same assignment.
        Assert.Equal(clusters, PseudoClasses.Assign(features.Select(f => f.ToArray()).ToList()));
    }

    [Fact]
    public void Small_query_of_three_distinct_classes_is_not_over_split()
    {
        var (images, truth) = fixture.FashionTestImages([1, 7, 8], perClass: 8);

        var clusters = PseudoClasses.Assign(fixture.Featurizer.Featurize(images));

        Assert.Equal(3, clusters.Distinct().Count());
        Assert.True(Purity(clusters, truth) >= 0.8);
    }

    [Fact]
    public void MaxClusters_caps_the_number_of_groups()
    {
        var (images, _) = fixture.FashionTestImages(DistinctClasses, perClass: 4);
        var features = fixture.Featurizer.Featurize(images);

        Assert.Equal(2, PseudoClasses.Assign(features, maxClusters: 2).Distinct().Count());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(3)]
    public void Fewer_than_four_samples_are_one_cluster(int n)
    {
        var random = new Random(n);
        var features = Enumerable.Range(0, n).Select(_ => Enumerable.Range(0, 8).Select(_ => (float)random.NextDouble()).ToArray()).ToList();

        Assert.Equal(new int[n], PseudoClasses.Assign(features));
    }

    [Fact]
    public void Identical_samples_stay_one_cluster()
    {
        var features = Enumerable.Range(0, 6).Select(_ => new float[] { 1, 2, 3 }).ToList();

        Assert.Equal(new int[6], PseudoClasses.Assign(features));
    }

    [Fact]
    public void A_component_common_to_every_sample_does_not_matter()
    {
        // Two directions; then the same large offset added to every sample (what ResNet features
        // share): clustering runs on features centred on the query's mean, so nothing changes.
        var features = new List<float[]>();
        for (var i = 0; i < 6; i++)
        {
            features.Add([1 + (0.1f * i), 0.1f * i, 0]);
            features.Add([0, 0.1f * i, 1 + (0.1f * i)]);
        }

        var clusters = PseudoClasses.Assign(features);
        var shifted = PseudoClasses.Assign(features.Select(f => f.Select(v => v + 50f).ToArray()).ToList());

        Assert.Equal(2, clusters.Distinct().Count());
        for (var i = 0; i < features.Count; i += 2)
        {
            Assert.Equal(clusters[0], clusters[i]);
            Assert.Equal(clusters[1], clusters[i + 1]);
        }

        Assert.Equal(clusters, shifted);
    }

    [Fact]
    public void Assign_does_not_change_its_input()
    {
        var features = Enumerable.Range(0, 6).Select(i => new float[] { i, 6 - i, 1 }).ToList();
        var copy = features.Select(f => f.ToArray()).ToList();

        PseudoClasses.Assign(features);

        Assert.Equal(copy, features);
    }

    private static double Purity(int[] clusters, List<int> truth) =>
        (double)clusters.Select((c, i) => (c, t: truth[i]))
            .GroupBy(x => x.c)
            .Sum(g => g.GroupBy(x => x.t).Max(h => h.Count())) / clusters.Length;

    /// <summary>Hubert–Arabie adjusted Rand index: 1 for identical partitions, about 0 for chance.</summary>
    private static double AdjustedRandIndex(int[] a, List<int> b)
    {
        static double Pairs(double n) => n * (n - 1) / 2;
        var n = a.Length;
        var table = a.Select((x, i) => (x, y: b[i])).GroupBy(p => p).Sum(g => Pairs(g.Count()));
        var rows = a.GroupBy(x => x).Sum(g => Pairs(g.Count()));
        var columns = b.GroupBy(x => x).Sum(g => Pairs(g.Count()));
        var expected = rows * columns / Pairs(n);
        return (table - expected) / (((rows + columns) / 2) - expected);
    }
}
