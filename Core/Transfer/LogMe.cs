using Know2Vec.Core.Inference;
using MathNet.Numerics.LinearAlgebra;

namespace Know2Vec.Core.Transfer;

/// <summary>
/// LogME (You et al., "LogME: Practical Assessment of Pre-trained Models for Transfer Learning",
/// ICML 2021): how well a model's features on the user's samples explain the user's labels,
/// measured by the maximum evidence of a Bayesian linear model from the features to each class's
/// one-vs-rest target. Higher = the model transfers better. Needs a forward pass of the model on
/// every sample, so it is the brute-force baseline (every zoo model) and the re-ranker of the
/// service's top k (only k models).
/// </summary>
/// <remarks>
/// Computed as the authors' reference implementation does by default (the fixed-point form of
/// "Ranking and Tuning Pre-trained Models", You et al. 2021, which reaches the same maximum as the
/// ICML iteration): one SVD of the feature matrix F (N×D); per class, alternate
/// α = γ / ‖m‖² and β = (N − γ) / ‖y − F m‖² with γ = Σ σᵢ / (σᵢ + α/β) over the squared singular
/// values σᵢ, until α/β moves by at most 0.1% (11 steps at most; 1e-5 guards the divisions); the
/// log evidence is divided by N and averaged over classes. One deliberate difference: when F has
/// rank k &lt; D (fewer samples than features), the D − k null directions of αI + βFᵀF are kept in
/// its log-determinant, as the ICML evidence has them; the reference fixed-point code drops them.
/// </remarks>
public static class LogMe
{
    private const int MaxIterations = 11;
    private const double Epsilon = 1e-5;
    private const double RelativeTolerance = 1e-3;
    private const double RankThreshold = 1e-10;

    /// <summary>LogME of <paramref name="features"/> (one row per sample) for class labels 0..C−1.</summary>
    /// <param name="features">N rows of D features (e.g. a model's softmax outputs on the samples).</param>
    /// <param name="labels">The class index of each sample; C = the largest index + 1.</param>
    /// <returns>Mean over classes of the per-sample log evidence (typically between −1 and 3 for softmax features).</returns>
    /// <exception cref="ArgumentException">No samples, ragged rows, a label count that differs from the row count, negative labels or non-finite features.</exception>
    public static double Score(IReadOnlyList<float[]> features, IReadOnlyList<int> labels)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(labels);
        if (features.Count == 0)
        {
            throw new ArgumentException("At least one sample is required.", nameof(features));
        }

        if (labels.Count != features.Count)
        {
            throw new ArgumentException($"{labels.Count} labels for {features.Count} samples.", nameof(labels));
        }

        var d = features[0].Length;
        if (d == 0 || features.Any(r => r.Length != d))
        {
            throw new ArgumentException("Every sample needs the same, non-zero number of features.", nameof(features));
        }

        if (labels.Any(l => l < 0))
        {
            throw new ArgumentException("Labels are class indices 0..C-1.", nameof(labels));
        }

        var f = Matrix<double>.Build.Dense(features.Count, d, (i, j) => features[i][j]);
        if (f.Enumerate().Any(v => !double.IsFinite(v)))
        {
            throw new ArgumentException("Features must be finite.", nameof(features));
        }

        return Score(f, labels);
    }

    /// <summary>LogME of a classifier's outputs: <paramref name="logits"/> go through softmax first (the features are the class probabilities).</summary>
    public static double ScoreLogits(IReadOnlyList<float[]> logits, IReadOnlyList<int> labels)
    {
        ArgumentNullException.ThrowIfNull(logits);
        return Score(logits.Select(row => OnnxClassifier.Softmax(row)).ToList(), labels);
    }

    /// <summary>
    /// Class indices for label strings, numbered in order of first appearance (ordinal comparison):
    /// ["cat", "dog", "cat"] → [0, 1, 0]. LogME only needs which samples share a class.
    /// </summary>
    public static int[] LabelIndices(IReadOnlyList<string> labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        return labels.Select(l => index.TryGetValue(l, out var i) ? i : index[l] = index.Count).ToArray();
    }

    private static double Score(Matrix<double> f, IReadOnlyList<int> labels)
    {
        var (n, d) = (f.RowCount, f.ColumnCount);
        var (u, sigma) = Decompose(f);

        var classes = labels.Max() + 1;
        double total = 0;
        var y = Vector<double>.Build.Dense(n);
        for (var c = 0; c < classes; c++)
        {
            for (var i = 0; i < n; i++)
            {
                y[i] = labels[i] == c ? 1 : 0;
            }

            total += Evidence(u.TransposeThisAndMultiply(y), y.DotProduct(y), sigma, n, d);
        }

        return total / classes;
    }

    /// <summary>
    /// The left singular vectors U (N×k) and squared singular values of F. For N &gt; D the SVD of the
    /// small D×D matrix FᵀF gives them cheaper (U = F V / s), dropping directions with s ≤ 1e-10
    /// (F's rank); otherwise the thin SVD of F itself.
    /// </summary>
    private static (Matrix<double> U, double[] Sigma) Decompose(Matrix<double> f)
    {
        var (n, d) = (f.RowCount, f.ColumnCount);
        if (n > d)
        {
            var svd = f.TransposeThisAndMultiply(f).Svd(computeVectors: true);
            var s = svd.S.Select(Math.Sqrt).ToArray();
            var rank = s.Count(v => v > RankThreshold);
            var v = svd.VT.SubMatrix(0, rank, 0, d).Transpose(); // D×k
            var u = f * v;
            for (var j = 0; j < rank; j++)
            {
                u.SetColumn(j, u.Column(j) / s[j]);
            }

            return (u, s.Take(rank).Select(x => x * x).ToArray());
        }

        var thin = f.Svd(computeVectors: true);
        var k = Math.Min(n, d);
        return (thin.U.SubMatrix(0, n, 0, k), thin.S.Take(k).Select(x => x * x).ToArray());
    }

    /// <summary>Maximum log evidence per sample for one target y, given x = Uᵀy and ‖y‖².</summary>
    private static double Evidence(Vector<double> x, double yy, double[] sigma, int n, int d)
    {
        var x2 = x.PointwiseMultiply(x).ToArray();
        var residualOutside = yy - x2.Sum(); // the part of y outside F's column space
        double alpha = 1, beta = 1, m2 = 0, res2 = 0;
        for (var iteration = 0; iteration < MaxIterations; iteration++)
        {
            var t = alpha / beta;
            double gamma = 0;
            m2 = 0;
            res2 = residualOutside;
            for (var i = 0; i < sigma.Length; i++)
            {
                gamma += sigma[i] / (sigma[i] + t);
                m2 += sigma[i] * x2[i] / ((t + sigma[i]) * (t + sigma[i]));
                var shrink = 1 + (sigma[i] / t);
                res2 += x2[i] / (shrink * shrink);
            }

            alpha = gamma / (m2 + Epsilon);
            beta = (n - gamma) / (res2 + Epsilon);
            if (Math.Abs((alpha / beta) - t) / t <= RelativeTolerance)
            {
                break;
            }
        }

        // log|αI + βFᵀF| over all D directions: the D − k directions outside F's row space
        // (k = rank, e.g. fewer samples than features) contribute log α each. The reference's
        // fixed-point code omits them, which departs from the ICML evidence when k < D.
        var logDet = sigma.Sum(s => Math.Log(alpha + (beta * s))) + ((d - sigma.Length) * Math.Log(alpha));
        var evidence = (d / 2.0 * Math.Log(alpha))
            + (n / 2.0 * Math.Log(beta))
            - (0.5 * logDet)
            - (beta / 2.0 * res2)
            - (alpha / 2.0 * m2)
            - (n / 2.0 * Math.Log(2 * Math.PI));
        return evidence / n;
    }
}
