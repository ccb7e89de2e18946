using Know2Vec.Evaluation.Benchmark;
using Know2Vec.Evaluation.Eval;

namespace Know2Vec.Evaluation.Tests;

/// <summary>
/// One run of the real harness, shared by the tests: every query set of the meta-test split (16
/// tasks, 64 query sets) against all 34 meta-test models with the committed trained alignment —
/// the evaluation of zoo-manifests/benchmark/RESULTS.md, reduced only in its cost measurement.
/// Probing and featurizing happen here, into a fresh cache folder (about three minutes on two
/// loaded cores; the time is printed with the table).
/// </summary>
public sealed class ReducedEvaluationFixture : IAsyncLifetime
{
    public const int Tasks = 16;
    public const int Models = 34;
    public const int Queries = 64;

    private readonly string _cache = Path.Combine(Path.GetTempPath(), "know2vec-evaltests-" + Guid.NewGuid().ToString("N"));

    public EvalReport Report { get; private set; } = null!;

    public TimeSpan Elapsed { get; private set; }

    /// <summary>The trained alignment the evaluation is told to use.</summary>
    public static string AlignmentDirectory { get; } = Path.Combine(BenchmarkData.FindZooManifestsDirectory(), "alignment", "know2vec-v1");

    public async Task InitializeAsync()
    {
        var options = new EvalOptions
        {
            ZooManifestsDirectory = BenchmarkData.FindZooManifestsDirectory(),
            CacheDirectory = _cache,
            AlignmentDirectory = AlignmentDirectory,
            CostRepetitions = 2,
        };
        var started = System.Diagnostics.Stopwatch.StartNew();
        Report = await EvalHarness.RunAsync(options, progress: null, CancellationToken.None);
        Elapsed = started.Elapsed;
    }

    public Task DisposeAsync()
    {
        if (Directory.Exists(_cache))
        {
            Directory.Delete(_cache, recursive: true);
        }

        return Task.CompletedTask;
    }
}

/// <summary>One evaluation run for every test class that reads it.</summary>
[CollectionDefinition(Name)]
public sealed class EvaluationCollection : ICollectionFixture<ReducedEvaluationFixture>
{
    public const string Name = "evaluation";
}
