using Know2Vec.Core.Benchmark;
using Know2Vec.Evaluation.Eval;

namespace Know2Vec.Evaluation.Tests;

/// <summary>
/// One reduced run of the real harness, shared by the tests: four meta-test tasks (two
/// Fashion-MNIST, two digits), their ten models as the zoo, the first query set of each task.
/// Probing and featurizing happen here, into a fresh cache folder (~20 s of featurizer time on two
/// cores); the whole fixture stays well under a minute.
/// </summary>
public sealed class ReducedEvaluationFixture : IAsyncLifetime
{
    public static readonly string[] TaskIds = ["fashion-4-5-6-9", "fashion-4-7", "digits-0-4-8", "digits-1-4-5-6"];

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
            TaskIds = TaskIds,
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
