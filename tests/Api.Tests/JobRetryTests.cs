using System.Collections.Concurrent;
using System.Net;
using Hangfire;
using Hangfire.States;
using Know2Vec.Core.Catalog;
using Know2Vec.Core.Indexing;
using Know2Vec.Hosting.Jobs;
using Microsoft.Extensions.DependencyInjection;

namespace Know2Vec.Api.Tests;

/// <summary>
/// The retry path on the real job server and Hangfire's SQLite storage: a model whose indexing keeps
/// failing with a transient error is retried by Hangfire, left alone until the last attempt, then
/// marked failed with a reason (<see cref="ProbeModelJob"/> reads the attempt from Hangfire's own
/// RetryCount). Only the indexer is a test double: a transient fault cannot be provoked on demand.
/// </summary>
public sealed class JobRetryTests
{
    private const string Model = "fashion-1-8-cnn-small-a";

    [Fact]
    public async Task A_model_that_keeps_failing_is_retried_and_marked_failed_with_a_reason_after_the_last_retry()
    {
        using var dir = new TestDirectory();
        var attempts = new ConcurrentQueue<ModelStatus?>();
        await using var app = new Know2VecApp(dir, testServices: services => services.AddSingleton<IModelIndexer>(sp =>
            new AlwaysFailingTransientlyIndexerTestDouble(sp.GetRequiredService<ICatalog>(), attempts)));
        using var client = app.CreateWriter();
        var modelId = $"retries:{Model}";

        var registered = await client.PostAsync("/zoos", TestData.Json(TestData.Manifest("Retries", BenchmarkZoo.CopyModel(Model, dir.ZooRoot))));
        Assert.Equal(HttpStatusCode.Accepted, registered.StatusCode);

        // Hangfire schedules the retries 10 s, 1 min and 5 min after each failure. The test moves every
        // scheduled retry forward to now (only out of the Scheduled state, so never a second copy of a
        // running job); counting attempts and deciding the last one stay Hangfire's and the job's.
        var storage = app.Services.GetRequiredService<JobStorage>();
        var jobs = app.Services.GetRequiredService<IBackgroundJobClient>();
        System.Text.Json.JsonElement model = default;
        await WaitUntilAsync(TimeSpan.FromMinutes(3), async () =>
        {
            foreach (var scheduled in storage.GetMonitoringApi().ScheduledJobs(0, 100))
            {
                jobs.ChangeState(scheduled.Key, new EnqueuedState(), ScheduledState.StateName);
            }

            model = await TestData.ReadJsonAsync(await client.GetAsync($"/models/{modelId}"), HttpStatusCode.OK);
            return model.GetProperty("status").GetString() == "failed";
        }, () => $"model not failed after {attempts.Count} attempts: {model}");

        // Every attempt ran; none before the last found (or left) the model failed.
        Assert.Equal(ProbeModelJob.RetryAttempts + 1, attempts.Count);
        Assert.DoesNotContain(ModelStatus.Failed, attempts);
        var reason = model.GetProperty("failureReason").GetString()!;
        Assert.Contains($"after {ProbeModelJob.RetryAttempts + 1} attempts", reason, StringComparison.Ordinal);
        Assert.Contains(nameof(IOException), reason, StringComparison.Ordinal);
        Assert.DoesNotContain(AlwaysFailingTransientlyIndexerTestDouble.Message, reason, StringComparison.Ordinal);

        // The job itself ends Failed on the dashboard, with no retry left scheduled.
        await WaitUntilAsync(TimeSpan.FromSeconds(30), () => Task.FromResult(storage.GetMonitoringApi().FailedCount() > 0), () => "no failed job");
        var job = Assert.Single(storage.GetMonitoringApi().FailedJobs(0, 10));
        Assert.Equal(typeof(ProbeModelJob), job.Value.Job.Type);
        Assert.Equal(modelId, job.Value.Job.Args[0]);
        Assert.Contains(nameof(IOException), job.Value.ExceptionType, StringComparison.Ordinal);
        Assert.Equal(0, storage.GetMonitoringApi().ScheduledCount());
        using var connection = storage.GetConnection();
        Assert.Equal(ProbeModelJob.RetryAttempts.ToString(System.Globalization.CultureInfo.InvariantCulture), connection.GetJobParameter(job.Key, "RetryCount"));
    }

    /// <summary>Checks <paramref name="condition"/> every 100 ms until it holds (a liveness bound, not a measurement).</summary>
    private static async Task WaitUntilAsync(TimeSpan timeout, Func<Task<bool>> condition, Func<string> failure)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"after {timeout}: {failure()}");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>
    /// Test double of the indexer: starts like the real one (the model is being indexed), then fails
    /// with an I/O error every time, as a full disk or a lost network share would. Records the
    /// model's status at the start of each attempt.
    /// </summary>
    private sealed class AlwaysFailingTransientlyIndexerTestDouble(ICatalog catalog, ConcurrentQueue<ModelStatus?> attempts) : IModelIndexer
    {
        public const string Message = "disk on fire at /var/lib/know2vec";

        public string AlignmentVersion => "test-double";

        public async Task IndexModelAsync(string modelId, CancellationToken cancellationToken)
        {
            attempts.Enqueue((await catalog.GetModelAsync(modelId, cancellationToken))?.Status);
            await catalog.SetModelStatusAsync(modelId, ModelStatus.Indexing, null, cancellationToken);
            throw new IOException(Message);
        }

        public Task<bool> ReencodeAsync(string modelId, CancellationToken cancellationToken) => Task.FromResult(false);
    }
}
