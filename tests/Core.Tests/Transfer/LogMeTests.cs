using Know2Vec.Core.Transfer;

namespace Know2Vec.Core.Tests.Transfer;

public sealed class LogMeTests
{
    /// <summary>
    /// Softmax rows that lean towards each sample's class (label i mod C): a[i,j] = 0.5·sin(1.7i + 0.9j)
    /// + 1.5·[j = i mod C], computed in double and stored as float32 like a model's outputs.
    /// </summary>
    private static (float[][] Features, int[] Labels) Leaning(int n, int d, int classes)
    {
        var features = new float[n][];
        for (var i = 0; i < n; i++)
        {
            var a = Enumerable.Range(0, d).Select(j => (0.5 * Math.Sin((1.7 * i) + (0.9 * j))) + (j == i % classes ? 1.5 : 0)).ToArray();
            var max = a.Max();
            var e = a.Select(v => Math.Exp(v - max)).ToArray();
            features[i] = e.Select(v => (float)(v / e.Sum())).ToArray();
        }

        return (features, Enumerable.Range(0, n).Select(i => i % classes).ToArray());
    }

    // Reference: a direct numpy implementation of the same evidence (thin SVD of F, per-class fixed
    // point on α/β, log evidence / N, mean over classes), run once with /usr/bin/python3 on the
    // same float32 features (a = 0.5*sin(1.7*i + 0.9*j) + 1.5*(j == i % C), softmax over j):
    //   u, s, vh = np.linalg.svd(f.astype(np.float64), full_matrices=False); sig = s**2
    //   per class: x = u.T @ y; a = b = 1; 11 × { t = a/b; g = sum(sig/(sig+t));
    //     m2 = sum(sig*x²/(t+sig)²); r2 = sum(x²/(1+sig/t)²) + (|y|² − |x|²);
    //     a = g/(m2+1e-5); b = (N−g)/(r2+1e-5); stop when |a/b − t|/t ≤ 1e-3 }
    //   e = D/2 log a + N/2 log b − ½ Σ log(a + b·sig) − ½ (D − k) log a − b/2 r2 − a/2 m2 − N/2 log 2π
    // The ICML form (explicit A = αI + βFᵀF, iterated to convergence) agrees: 0.1807293151 for
    // (12,3,3), 0.5669492029 for (30,4,3), −0.44198 for (4,5,2) — the last differs in the 3rd
    // decimal only because the fixed point stops at 0.1% change.
    [Theory]
    [InlineData(12, 3, 3, 0.18072931418572233)]
    [InlineData(30, 4, 3, 0.5669492026108572)]
    [InlineData(4, 5, 2, -0.4441681850702411)] // fewer samples than features: rank-deficient F
    public void Matches_a_direct_numpy_implementation(int n, int d, int classes, double expected)
    {
        var (features, labels) = Leaning(n, d, classes);
        Assert.Equal(expected, LogMe.Score(features, labels), 9);
    }

    [Fact]
    public void Features_that_separate_the_labels_score_higher_than_random_features()
    {
        var random = new Random(7);
        var labels = Enumerable.Range(0, 40).Select(i => i % 4).ToArray();
        // A confident, mostly right classifier (every 10th sample wrong) versus random probabilities.
        var good = labels.Select((l, i) => Probabilities(random, 4, i % 10 == 0 ? (l + 1) % 4 : l, 4.0)).ToList();
        var noise = labels.Select(_ => Probabilities(random, 4, random.Next(4), 0.0)).ToList();
        var separating = LogMe.Score(good, labels);
        var chance = LogMe.Score(noise, labels);
        Assert.True(separating > chance + 0.3, $"separating {separating:F4} vs random {chance:F4}");
    }

    [Fact]
    public void Logits_go_through_softmax()
    {
        var (features, labels) = Leaning(12, 3, 3);
        // log-probabilities plus a per-row constant are logits whose softmax is the features again.
        var logits = features.Select((row, i) => row.Select(p => MathF.Log(p) + i).ToArray()).ToList();
        Assert.Equal(LogMe.Score(features, labels), LogMe.ScoreLogits(logits, labels), 5);
    }

    [Fact]
    public void Does_not_depend_on_sample_or_feature_order()
    {
        var (features, labels) = Leaning(30, 4, 3);
        var expected = LogMe.Score(features, labels);
        var order = Enumerable.Range(0, 30).Reverse().ToArray();
        var reordered = order.Select(i => new[] { features[i][2], features[i][0], features[i][3], features[i][1] }).ToList();
        Assert.Equal(expected, LogMe.Score(reordered, order.Select(i => labels[i]).ToList()), 9);
    }

    [Fact]
    public void Label_strings_become_indices_in_order_of_first_appearance()
    {
        Assert.Equal([0, 1, 0, 2, 1], LogMe.LabelIndices(["cat", "dog", "cat", "Cat", "dog"]));
    }

    [Fact]
    public void Rejects_inconsistent_input()
    {
        float[][] two = [[0.5f, 0.5f], [0.2f, 0.8f]];
        Assert.Throws<ArgumentException>(() => LogMe.Score([], []));
        Assert.Throws<ArgumentException>(() => LogMe.Score(two, [0]));
        Assert.Throws<ArgumentException>(() => LogMe.Score([[0.5f, 0.5f], [1f]], [0, 1]));
        Assert.Throws<ArgumentException>(() => LogMe.Score(two, [0, -1]));
        Assert.Throws<ArgumentException>(() => LogMe.Score([[float.NaN, 1f], [0.2f, 0.8f]], [0, 1]));
    }

    private static float[] Probabilities(Random random, int classes, int favourite, double confidence)
    {
        var a = Enumerable.Range(0, classes).Select(j => random.NextDouble() + (j == favourite ? confidence : 0)).ToArray();
        var e = a.Select(Math.Exp).ToArray();
        return e.Select(v => (float)(v / e.Sum())).ToArray();
    }
}
