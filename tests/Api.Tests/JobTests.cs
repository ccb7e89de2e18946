using Hangfire;
using Hangfire.Common;
using Hangfire.States;
using Know2Vec.Core.Catalog;
using Know2Vec.Core.Indexing;
using Know2Vec.Hosting.Jobs;
using Know2Vec.Storage.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace Know2Vec.Api.Tests;

/// <summary>The jobs' own rules, without a job server: fan-out and giving up on the last attempt.</summary>
public sealed class JobTests : IDisposable
{
    private readonly TestDirectory _dir = new();
    private readonly SqliteCatalog _catalog;

    public JobTests()
    {
        _catalog = new SqliteCatalog(Path.Combine(_dir.DataDirectory, "catalog.db"));
    }

    public void Dispose()
    {
        _catalog.Dispose();
        _dir.Dispose();
    }

    private async Task AddZooAsync(string zooId, params (string Name, ModelStatus Status)[] models)
    {
        var now = DateTimeOffset.UtcNow;
        var records = models.Select(m => new ModelRecord
        {
            Id = ModelRecord.MakeId(zooId, m.Name),
            ZooId = zooId,
            Name = m.Name,
            File = $"{m.Name}.onnx",
            Sha256 = TestData.ZeroSha,
            Architecture = "mlp",
            Parameters = 10,
            Labels = ["a", "b"],
            Tags = [],
            License = "MIT",
            InputJson = """{"shape":[784],"range":[0,1]}""",
            UpdatedAt = now,
        }).ToArray();
        Assert.True(await _catalog.TryAddZooAsync(new ZooRecord(zooId, zooId, "1", null, _dir.ZooRoot, now), records, CancellationToken.None));
        foreach (var (name, status) in models)
        {
            await _catalog.SetModelStatusAsync(ModelRecord.MakeId(zooId, name), status, status == ModelStatus.Failed ? "broken" : null, CancellationToken.None);
        }
    }

    [Fact]
    public async Task IndexZoo_queues_pending_and_interrupted_models_only()
    {
        await AddZooAsync("zoo", ("a", ModelStatus.Pending), ("b", ModelStatus.Indexing), ("c", ModelStatus.Indexed), ("d", ModelStatus.Failed));
        var client = new RecordingJobClient();

        await new IndexZooJob(_catalog, client, NullLogger<IndexZooJob>.Instance).Run("zoo", CancellationToken.None);

        Assert.All(client.Jobs, job => Assert.Equal(typeof(ProbeModelJob), job.Type));
        Assert.Equal(["zoo:a", "zoo:b"], client.Jobs.Select(j => (string)j.Args[0]).Order());

        // Idempotent: running it again queues the same models again (a probe overwrites its results).
        await new IndexZooJob(_catalog, client, NullLogger<IndexZooJob>.Instance).Run("zoo", CancellationToken.None);
        Assert.Equal(4, client.Jobs.Count);
    }

    [Fact]
    public async Task IndexZoo_of_a_deleted_zoo_does_nothing()
    {
        var client = new RecordingJobClient();

        await new IndexZooJob(_catalog, client, NullLogger<IndexZooJob>.Instance).Run("gone", CancellationToken.None);

        Assert.Empty(client.Jobs);
    }

    [Fact]
    public async Task ProbeModel_leaves_early_failures_to_the_retries()
    {
        await AddZooAsync("zoo", ("a", ModelStatus.Indexing));
        var job = new ProbeModelJob(new ThrowingIndexer(), _catalog, NullLogger<ProbeModelJob>.Instance);

        await Assert.ThrowsAsync<IOException>(() => job.RunAttemptAsync("zoo:a", retryCount: ProbeModelJob.RetryAttempts - 1, CancellationToken.None));

        Assert.Equal(ModelStatus.Indexing, (await _catalog.GetModelAsync("zoo:a", CancellationToken.None))!.Status);
    }

    [Fact]
    public async Task ProbeModel_marks_the_model_failed_when_the_last_attempt_fails()
    {
        await AddZooAsync("zoo", ("a", ModelStatus.Indexing), ("b", ModelStatus.Pending));
        var job = new ProbeModelJob(new ThrowingIndexer(), _catalog, NullLogger<ProbeModelJob>.Instance);

        await Assert.ThrowsAsync<IOException>(() => job.RunAttemptAsync("zoo:a", retryCount: ProbeModelJob.RetryAttempts, CancellationToken.None));

        var model = (await _catalog.GetModelAsync("zoo:a", CancellationToken.None))!;
        Assert.Equal(ModelStatus.Failed, model.Status);
        Assert.Contains("IOException", model.FailureReason, StringComparison.Ordinal);
        Assert.DoesNotContain("disk on fire", model.FailureReason, StringComparison.Ordinal); // exception text stays in the log
        Assert.Equal(ModelStatus.Pending, (await _catalog.GetModelAsync("zoo:b", CancellationToken.None))!.Status);
    }

    [Fact]
    public async Task ProbeModel_of_a_deleted_model_does_nothing()
    {
        var indexer = new ThrowingIndexer();
        var job = new ProbeModelJob(indexer, _catalog, NullLogger<ProbeModelJob>.Instance);

        await job.RunAttemptAsync("gone:a", retryCount: 0, CancellationToken.None);

        Assert.Equal(0, indexer.Calls);
    }

    private sealed class ThrowingIndexer : IModelIndexer
    {
        public int Calls { get; private set; }

        public Task IndexModelAsync(string modelId, CancellationToken cancellationToken)
        {
            Calls++;
            throw new IOException("disk on fire");
        }

        public string AlignmentVersion => "test";

        public Task<bool> ReencodeAsync(string modelId, CancellationToken cancellationToken) =>
            throw new NotSupportedException("not used by these tests");
    }

    private sealed class RecordingJobClient : IBackgroundJobClient
    {
        public List<Job> Jobs { get; } = [];

        public string Create(Job job, IState state)
        {
            Jobs.Add(job);
            return Jobs.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        public bool ChangeState(string jobId, IState state, string expectedState) => true;
    }
}
