namespace Know2Vec.Evaluation.Metrics;

/// <summary>
/// How well one ranking method orders a zoo for one query, against the ground-truth fits of the
/// same models. Every method takes <c>fit[i]</c> and <c>score[i]</c> for the
/// same model i; higher fit = better model, higher score = ranked earlier.
/// </summary>
/// <remarks>
/// Ties. In the fits, every model whose fit equals the best (within <see cref="FitTolerance"/>)
/// counts as a best model. In the scores, tied models are ordered uniformly at random and the
/// hit-style metrics (<see cref="Top1"/>, <see cref="TopK"/>, <see cref="RegretAt1"/>) return their
/// expectation under that random order, so a method that scores many models equally (e.g. name
/// overlap) is neither flattered nor punished by an arbitrary tie-break such as model order.
/// <see cref="WeightedTau"/> and <see cref="Spearman"/> handle ties the way scipy does.
/// </remarks>
public static class RankingMetrics
{
    /// <summary>Fits closer than this are equal (fits are accuracies on a few hundred images).</summary>
    public const double FitTolerance = 1e-9;

    /// <summary>
    /// Top-1 hit: 1 when the top-scored model has the best fit. With several models tied at the top
    /// score, the share of them that have the best fit (the chance that a random tie-break hits).
    /// </summary>
    public static double Top1(IReadOnlyList<double> fit, IReadOnlyList<double> score) => TopK(fit, score, 1);

    /// <summary>
    /// Top-k hit: 1 when a best-fit model is among the k top-scored models; with score ties across
    /// the k-th place, the probability of that under a random tie-break.
    /// </summary>
    public static double TopK(IReadOnlyList<double> fit, IReadOnlyList<double> score, int k)
    {
        Check(fit, score);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        var best = fit.Max();
        var slots = k;
        foreach (var group in ScoreGroups(score))
        {
            var hits = group.Count(i => IsBest(fit[i], best));
            if (group.Count <= slots)
            {
                if (hits > 0)
                {
                    return 1;
                }

                slots -= group.Count;
                if (slots == 0)
                {
                    return 0;
                }

                continue;
            }

            // The group straddles the cut: `slots` of its members are drawn at random.
            // P(no best among the drawn) = C(g - hits, slots) / C(g, slots).
            double miss = 1;
            for (var j = 0; j < slots; j++)
            {
                miss *= (double)(group.Count - hits - j) / (group.Count - j);
                if (miss <= 0)
                {
                    miss = 0;
                    break;
                }
            }

            return 1 - miss;
        }

        return 0;
    }

    /// <summary>Regret@1: best fit minus the fit of the top-scored model (mean over the models tied at the top score).</summary>
    public static double RegretAt1(IReadOnlyList<double> fit, IReadOnlyList<double> score)
    {
        Check(fit, score);
        var top = ScoreGroups(score).First();
        return fit.Max() - top.Average(i => fit[i]);
    }

    /// <summary>
    /// The models tied at the top score (a method's pick; several when it cannot decide). Use it for
    /// derived hit rates (e.g. "the pick belongs to the query's task") with the same tie rule.
    /// </summary>
    public static IReadOnlyList<int> TopScored(IReadOnlyList<double> score)
    {
        ArgumentNullException.ThrowIfNull(score);
        ArgumentOutOfRangeException.ThrowIfZero(score.Count);
        return ScoreGroups(score).First();
    }

    /// <summary>
    /// Weighted Kendall tau with the hyperbolic weigher 1/(r+1), additive, exactly as
    /// <c>scipy.stats.weightedtau(fit, score, rank=None)</c> (Vigna, "A weighted correlation index for
    /// rankings with ties", WWW 2015): the rank r of a model is its place (0 = first) in the order by
    /// (fit, score) decreasing, so the weights emphasise agreement on the models that truly fit
    /// best. A pair (i, j) weighs w(r_i) + w(r_j); τ = Σ w·sgn(Δfit)·sgn(Δscore) /
    /// sqrt(Σ_{Δfit≠0} w · Σ_{Δscore≠0} w). NaN when either side is constant (as scipy).
    /// </summary>
    /// <remarks>
    /// scipy's default rank=True averages this with the same index ranked by score; rank=None (the
    /// ground truth decides which places matter) is the one reported here. O(n²): fine for zoos of
    /// a few hundred models.
    /// </remarks>
    public static double WeightedTau(IReadOnlyList<double> fit, IReadOnlyList<double> score)
    {
        Check(fit, score);
        var n = fit.Count;

        // Decreasing lexicographic order by (fit, score). Models equal in both are interchangeable,
        // so their relative order does not change the result.
        var order = Enumerable.Range(0, n)
            .OrderByDescending(i => fit[i])
            .ThenByDescending(i => score[i])
            .ToArray();
        var weight = new double[n];
        for (var place = 0; place < n; place++)
        {
            weight[order[place]] = 1.0 / (place + 1);
        }

        double numerator = 0, fitPairs = 0, scorePairs = 0;
        for (var i = 0; i < n; i++)
        {
            for (var j = i + 1; j < n; j++)
            {
                var w = weight[i] + weight[j];
                // CompareTo, not subtraction: -infinity minus -infinity is NaN.
                var sf = Math.Sign(fit[i].CompareTo(fit[j]));
                var ss = Math.Sign(score[i].CompareTo(score[j]));
                numerator += w * sf * ss;
                fitPairs += sf != 0 ? w : 0;
                scorePairs += ss != 0 ? w : 0;
            }
        }

        return numerator / Math.Sqrt(fitPairs * scorePairs);
    }

    /// <summary>
    /// Spearman's rank correlation: the Pearson correlation of the two sides' ranks, tied values
    /// sharing their average rank (as <c>scipy.stats.spearmanr</c>). NaN when either side is constant.
    /// </summary>
    public static double Spearman(IReadOnlyList<double> fit, IReadOnlyList<double> score)
    {
        Check(fit, score);
        return Pearson(AverageRanks(fit), AverageRanks(score));
    }

    /// <summary>1-based ranks in increasing order of value; tied values share the mean of their ranks.</summary>
    public static double[] AverageRanks(IReadOnlyList<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var order = Enumerable.Range(0, values.Count).OrderBy(i => values[i]).ToArray();
        var ranks = new double[values.Count];
        for (var start = 0; start < order.Length;)
        {
            var end = start + 1;
            while (end < order.Length && values[order[end]] == values[order[start]])
            {
                end++;
            }

            var rank = ((start + 1) + end) / 2.0; // mean of the 1-based places start+1 .. end
            for (var p = start; p < end; p++)
            {
                ranks[order[p]] = rank;
            }

            start = end;
        }

        return ranks;
    }

    private static double Pearson(double[] x, double[] y)
    {
        var mx = x.Average();
        var my = y.Average();
        double sxy = 0, sxx = 0, syy = 0;
        for (var i = 0; i < x.Length; i++)
        {
            sxy += (x[i] - mx) * (y[i] - my);
            sxx += (x[i] - mx) * (x[i] - mx);
            syy += (y[i] - my) * (y[i] - my);
        }

        return sxx == 0 || syy == 0 ? double.NaN : sxy / Math.Sqrt(sxx * syy);
    }

    private static bool IsBest(double fit, double best) => fit >= best - FitTolerance;

    /// <summary>Model indices grouped by equal score, best score first; within a group by index.</summary>
    private static IEnumerable<List<int>> ScoreGroups(IReadOnlyList<double> score) =>
        Enumerable.Range(0, score.Count)
            .GroupBy(i => score[i])
            .OrderByDescending(g => g.Key)
            .Select(g => g.ToList());

    private static void Check(IReadOnlyList<double> fit, IReadOnlyList<double> score)
    {
        ArgumentNullException.ThrowIfNull(fit);
        ArgumentNullException.ThrowIfNull(score);
        if (fit.Count != score.Count)
        {
            throw new ArgumentException($"{fit.Count} fits but {score.Count} scores: both must cover the same models.", nameof(score));
        }

        if (fit.Count == 0)
        {
            throw new ArgumentException("No models to rank.", nameof(fit));
        }

        if (fit.Any(double.IsNaN) || score.Any(double.IsNaN))
        {
            throw new ArgumentException("Fits and scores must not be NaN.", nameof(score));
        }
    }
}
