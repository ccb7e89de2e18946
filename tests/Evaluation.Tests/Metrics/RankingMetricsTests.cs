using Know2Vec.Evaluation.Metrics;

namespace Know2Vec.Evaluation.Tests.Metrics;

public sealed class RankingMetricsTests
{
    // Hand-worked: fit ranks the models 0 > 1 > 2 > 3, so their hyperbolic weights are 1, 1/2, 1/3, 1/4
    // and a pair weighs the sum of its two. The score puts model 1 first.
    //   pairs (0,1) 3/2 and (0,2) 4/3 are discordant (score 0.2 < 0.8, 0.2 < 0.4): 17/6
    //   pairs (0,3) 5/4, (1,2) 5/6, (1,3) 3/4, (2,3) 7/12 are concordant:           41/12
    //   no ties, so both denominators are the total weight 3 · (1 + 1/2 + 1/3 + 1/4) = 25/4
    //   τ = (41/12 − 34/12) / (25/4) = 7/75
    // Spearman: fit ranks (4,3,2,1), score ranks (2,4,3,1), Σd² = 6, ρ = 1 − 6·6/(4·15) = 0.4.
    private static readonly double[] HandFit = [0.9, 0.7, 0.5, 0.3];
    private static readonly double[] HandScore = [0.2, 0.8, 0.4, 0.1];

    [Fact]
    public void Hand_worked_four_models()
    {
        Assert.Equal(7.0 / 75, RankingMetrics.WeightedTau(HandFit, HandScore), 12);
        Assert.Equal(0.4, RankingMetrics.Spearman(HandFit, HandScore), 12);
        Assert.Equal(0, RankingMetrics.Top1(HandFit, HandScore));
        Assert.Equal(0, RankingMetrics.TopK(HandFit, HandScore, 2));
        Assert.Equal(1, RankingMetrics.TopK(HandFit, HandScore, 3));
        Assert.Equal(0.2, RankingMetrics.RegretAt1(HandFit, HandScore), 12);
    }

    // Reference values from scipy 1.10.1, e.g.
    // /usr/bin/python3 -c "from scipy.stats import weightedtau, spearmanr; x=[0.8,0.8,0.6,0.5,0.5,0.2]; y=[3,1,2,2,5,0]; print(repr(weightedtau(x,y,rank=None).statistic), repr(spearmanr(x,y).statistic))"
    [Theory]
    [InlineData(new[] { 0.9, 0.7, 0.5, 0.3 }, new[] { 0.2, 0.8, 0.4, 0.1 }, 0.0933333333333333, 0.39999999999999997)]
    // ties in the fits and in the scores
    [InlineData(new[] { 0.8, 0.8, 0.6, 0.5, 0.5, 0.2 }, new[] { 3.0, 1, 2, 2, 5, 0 }, 0.13957766454017834, 0.22390553775994954)]
    // heavy ties in the scores
    [InlineData(new[] { 0.9, 0.4, 0.7, 0.1, 0.6 }, new[] { 1.0, 1, 0, 0, 1 }, 0.3027866510845969, 0.28867513459481287)]
    [InlineData(new[] { 0.1, 0.5, 0.3, 0.9 }, new[] { 1.0, 5, 3, 9 }, 0.9999999999999998, 1.0)]
    [InlineData(new[] { 0.1, 0.5, 0.3, 0.9 }, new[] { 9.0, 3, 5, 1 }, -0.9999999999999998, -1.0)]
    [InlineData(
        new[] { 0.55, 0.61, 0.93, 0.93, 0.47, 0.72, 0.88, 0.13, 0.61, 0.30 },
        new[] { 0.2, 0.9, 0.8, 0.1, 0.3, 0.7, 0.75, 0.05, 0.9, 0.4 },
        0.18970883324582438, 0.3669741930395451)]
    public void Matches_scipy(double[] fit, double[] score, double weightedTau, double spearman)
    {
        Assert.Equal(weightedTau, RankingMetrics.WeightedTau(fit, score), 12);
        Assert.Equal(spearman, RankingMetrics.Spearman(fit, score), 12);
    }

    [Fact]
    public void Weighted_tau_is_rank_none_not_scipys_default_average()
    {
        // scipy.stats.weightedtau(x, y) (rank=True) gives 0.05534506946862346 for these; rank=None 0.13957766454017834.
        double[] fit = [0.8, 0.8, 0.6, 0.5, 0.5, 0.2];
        double[] score = [3, 1, 2, 2, 5, 0];
        Assert.NotEqual(0.05534506946862346, RankingMetrics.WeightedTau(fit, score), 6);
    }

    [Fact]
    public void Constant_side_gives_nan_like_scipy()
    {
        double[] fit = [0.3, 0.5, 0.9];
        double[] flat = [1, 1, 1];
        Assert.True(double.IsNaN(RankingMetrics.WeightedTau(fit, flat)));
        Assert.True(double.IsNaN(RankingMetrics.Spearman(fit, flat)));
        Assert.True(double.IsNaN(RankingMetrics.WeightedTau(flat, fit)));
    }

    [Fact]
    public void Infinite_scores_are_ordered_not_nan()
    {
        double[] fit = [0.9, 0.5, 0.1];
        double[] score = [1, double.NegativeInfinity, double.NegativeInfinity];
        Assert.Equal(1, RankingMetrics.Top1(fit, score));
        Assert.False(double.IsNaN(RankingMetrics.WeightedTau(fit, score)));
    }

    [Fact]
    public void Ties_in_fit_count_as_hits()
    {
        double[] fit = [0.7, 0.9, 0.9];
        double[] score = [0.1, 0.2, 0.3];
        Assert.Equal(1, RankingMetrics.Top1(fit, score));
        Assert.Equal(0, RankingMetrics.RegretAt1(fit, score));
    }

    [Fact]
    public void Ties_in_score_give_the_expected_hit_of_a_random_tie_break()
    {
        // Models 0..3 tied on top: one of the four (model 2) is the best fit.
        double[] fit = [0.5, 0.6, 0.9, 0.4, 0.8];
        double[] score = [1, 1, 1, 1, 0];
        Assert.Equal(0.25, RankingMetrics.Top1(fit, score), 12);
        Assert.Equal(0.9 - ((0.5 + 0.6 + 0.9 + 0.4) / 4), RankingMetrics.RegretAt1(fit, score), 12);
        // Two of the four tied places fit in the top 2: P(model 2 drawn) = 1 − C(3,2)/C(4,2) = 1/2.
        Assert.Equal(0.5, RankingMetrics.TopK(fit, score, 2), 12);
        Assert.Equal(1, RankingMetrics.TopK(fit, score, 4));
        Assert.Equal([0, 1, 2, 3], RankingMetrics.TopScored(score));
    }

    [Fact]
    public void Top5_finds_a_best_model_in_fifth_place()
    {
        double[] fit = [0.1, 0.2, 0.3, 0.4, 0.9, 0.5, 0.6];
        double[] score = [7.0, 6, 5, 4, 3, 2, 1];
        Assert.Equal(0, RankingMetrics.TopK(fit, score, 4));
        Assert.Equal(1, RankingMetrics.TopK(fit, score, 5));
    }

    [Fact]
    public void Average_ranks_share_ties()
    {
        Assert.Equal([1.5, 3, 1.5, 4], RankingMetrics.AverageRanks([2.0, 5, 2, 7]));
    }

    [Fact]
    public void Rejects_mismatched_or_empty_input()
    {
        Assert.Throws<ArgumentException>(() => RankingMetrics.Top1([0.1, 0.2], [1.0]));
        Assert.Throws<ArgumentException>(() => RankingMetrics.WeightedTau([], []));
        Assert.Throws<ArgumentException>(() => RankingMetrics.Spearman([0.1, double.NaN], [1.0, 2.0]));
    }
}
