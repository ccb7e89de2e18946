using Know2Vec.Evaluation.Benchmark;
using Know2Vec.Evaluation.Eval;

namespace Know2Vec.Evaluation.Tests;

public sealed class QuerySelectionTests
{
    private static readonly BenchmarkData Data = BenchmarkData.Load(BenchmarkData.FindZooManifestsDirectory());

    private static EvalOptions Options(int? perTask = null, int? max = null) => new()
    {
        ZooManifestsDirectory = Data.ZooManifestsDirectory,
        CacheDirectory = Path.GetTempPath(),
        QueriesPerTask = perTask,
        MaxQueries = max,
    };

    [Fact]
    public void Max_queries_are_taken_round_robin_so_every_task_is_covered()
    {
        var tasks = Data.Tasks.Where(t => t.Split == BenchmarkData.MetaTest).ToList();
        var chosen = EvalHarness.SelectQueries(Data, tasks, Options(max: tasks.Count));
        Assert.Equal(tasks.Select(t => t.Id), chosen.Select(q => q.Task));
    }

    [Fact]
    public void All_query_sets_of_the_split_by_default_and_per_task_caps()
    {
        var tasks = Data.Tasks.Where(t => t.Split == BenchmarkData.MetaTest).ToList();
        var all = EvalHarness.SelectQueries(Data, tasks, Options());
        Assert.Equal(Data.Queries.Count(q => q.Split == BenchmarkData.MetaTest), all.Count);
        Assert.Equal(all.Count, all.Select(q => q.Id).Distinct().Count());
        var capped = EvalHarness.SelectQueries(Data, tasks, Options(perTask: 1));
        Assert.Equal(tasks.Count, capped.Count);
    }

    [Fact]
    public void Percentile_interpolates_like_numpy()
    {
        // numpy.percentile([1, 2, 3, 10], 50) == 2.5; NaN is left out.
        Assert.Equal(2.5, EvalHarness.Percentile([10, 1, double.NaN, 3, 2], 0.5));
        Assert.True(double.IsNaN(EvalHarness.Percentile([], 0.5)));
    }
}
