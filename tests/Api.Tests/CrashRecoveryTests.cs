using Hangfire;
using Hangfire.Common;
using Hangfire.States;
using Hangfire.Storage;
using Know2Vec.Hosting.Jobs;
using Microsoft.Extensions.DependencyInjection;

namespace Know2Vec.Api.Tests;

/// <summary>
/// Jobs a killed process was running resume at the next start, within seconds rather than after the
/// SQLite job store's 30-minute invisibility timeout. A test cannot SIGKILL a host in its own process,
/// so the first host leaves exactly what a killed one leaves in the store: a job fetched from the
/// queue (invisible to other fetches) and in the Processing state of a server that is gone.
/// </summary>
public sealed class CrashRecoveryTests
{
    [Fact]
    public async Task A_job_a_killed_process_left_processing_runs_to_completion_soon_after_the_next_start()
    {
        using var dir = new TestDirectory();
        string job;
        await using (var first = new Know2VecApp(dir, new Dictionary<string, string?> { ["Know2Vec:Jobs:RunServer"] = "false" }))
        {
            _ = first.Server;
            var storage = first.Services.GetRequiredService<JobStorage>();
            job = first.Services.GetRequiredService<IIndexingScheduler>().EnqueueIndexZoo("gone-zoo");

            using var connection = storage.GetConnection();
            var fetched = connection.FetchNextJob(["default"], CancellationToken.None);
            Assert.Equal(job, fetched.JobId);
            using (var transaction = connection.CreateWriteTransaction())
            {
                transaction.SetJobState(job, new ProcessingOnAGoneServer());
                transaction.Commit();
            }
            // The fetched job is neither removed nor re-queued nor disposed (disposing re-queues it): the
            // process "dies" holding it.
            Assert.Equal(1, storage.GetMonitoringApi().ProcessingCount());
        }

        await using var second = new Know2VecApp(dir);
        _ = second.Server;
        var storageAfter = second.Services.GetRequiredService<JobStorage>();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (State(storageAfter, job) != SucceededState.StateName && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        Assert.Equal(SucceededState.StateName, State(storageAfter, job));
        Assert.Equal(0, storageAfter.GetMonitoringApi().ProcessingCount());
        Assert.Contains(second.Logs.Lines, line => line.Contains("without finishing 1 jobs", StringComparison.Ordinal));
    }

    /// <summary>The Processing state as a worker writes it (Hangfire's own ProcessingState cannot be built outside it).</summary>
    private sealed class ProcessingOnAGoneServer : IState
    {
        public string Name => ProcessingState.StateName;

        public string Reason => "";

        public bool IsFinal => false;

        public bool IgnoreJobLoadException => false;

        public Dictionary<string, string> SerializeData() => new()
        {
            ["StartedAt"] = JobHelper.SerializeDateTime(DateTime.UtcNow),
            ["ServerId"] = "killed-server",
            ["WorkerId"] = "worker-1",
        };
    }

    private static string? State(JobStorage storage, string job)
    {
        using var connection = storage.GetConnection();
        return connection.GetStateData(job)?.Name;
    }
}
