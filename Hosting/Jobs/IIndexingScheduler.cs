using Hangfire;

namespace Know2Vec.Hosting.Jobs;

/// <summary>Starts indexing work. The Api depends on this, not on the job library.</summary>
public interface IIndexingScheduler
{
    /// <summary>Queues indexing of every not-yet-indexed model of a zoo.</summary>
    /// <returns>The background job id.</returns>
    string EnqueueIndexZoo(string zooId);

    /// <summary>Queues re-encoding of stored knowledge with the current alignment.</summary>
    string EnqueueReencode();
}

/// <summary>Queues Hangfire jobs; arguments are ids only, so a job reads current state when it runs.</summary>
public sealed class HangfireIndexingScheduler(IBackgroundJobClient jobs) : IIndexingScheduler
{
    /// <inheritdoc/>
    public string EnqueueIndexZoo(string zooId) =>
        jobs.Enqueue<IndexZooJob>(job => job.Run(zooId, CancellationToken.None));

    /// <inheritdoc/>
    public string EnqueueReencode() =>
        jobs.Enqueue<ReencodeJob>(job => job.Run(CancellationToken.None));
}
