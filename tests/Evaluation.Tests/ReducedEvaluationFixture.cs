using Know2Vec.Evaluation.Benchmark;
using Know2Vec.Evaluation.Eval;

namespace Know2Vec.Evaluation.Tests;

/// <summary>
/// One reduced run of the real harness, shared by the tests: every meta-test task with its first
/// query set (16 query sets) against all 34 meta-test models. Probing and featurizing happen here,
/// into a fresh cache folder (about two minutes on two cores).
/// </summary>
public sealed class ReducedEvaluationFixture : IAsyncLifetime
{
    public const int Tasks = 16;
    public const int Models = 34;

    private readonly string _cache = Path.Combine(Path.GetTempPath(), "know2vec-evaltests-" + Guid.NewGuid().ToString("N"));

    public EvalReport Report { get; private set; } = null!;

    public TimeSpan Elapsed { get; private set; }

    public async Task InitializeAsync()
    {
        var zooManifests = BenchmarkData.FindZooManifestsDirectory();
        var options = new EvalOptions
        {
            ZooManifestsDirectory = zooManifests,
            CacheDirectory = _cache,
            QueriesPerTask = 1,
            AlignmentDirectory = Path.Combine(zooManifests, "alignment", "know2vec-v1"),
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
