using Hangfire;
using Hangfire.Server;
using Know2Vec.Core.Catalog;
using Know2Vec.Core.Indexing;
using Microsoft.Extensions.Logging;

namespace Know2Vec.Hosting.Jobs;

/// <summary>
/// Probes one model (<see cref="IModelIndexer"/>). A model's own defects (corrupt file, sha256
/// mismatch, input that cannot be fed) are recorded as Failed by the indexer and end the job
/// normally. Anything else (I/O, storage) is retried; when the last attempt fails too, the model
/// is marked Failed with a reason, so it never stays "indexing" and never fails its zoo.
/// </summary>
public sealed partial class ProbeModelJob(IModelIndexer indexer, ICatalog catalog, ILogger<ProbeModelJob> logger)
{
    /// <summary>Retries after the first attempt.</summary>
    public const int RetryAttempts = 3;

    /// <param name="modelId">Catalog id of the model.</param>
    /// <param name="context">Supplied by Hangfire when the job runs (enqueue with null).</param>
    /// <param name="cancellationToken">Supplied by Hangfire: fires on server shutdown.</param>
    [AutomaticRetry(Attempts = RetryAttempts, DelaysInSeconds = [10, 60, 300], OnAttemptsExceeded = AttemptsExceededAction.Fail)]
    [JobDisplayName("Probe model {0}")]
    public Task Run(string modelId, PerformContext? context, CancellationToken cancellationToken) =>
        RunAttemptAsync(modelId, RetryCount(context), cancellationToken);

    /// <summary>One attempt; <paramref name="retryCount"/> is 0 for the first, <see cref="RetryAttempts"/> for the last.</summary>
    internal async Task RunAttemptAsync(string modelId, int retryCount, CancellationToken cancellationToken)
    {
        if (await catalog.GetModelAsync(modelId, cancellationToken) is null)
        {
            LogModelGone(logger, modelId);
            return; // deleted with its zoo while queued: nothing to do, nothing to retry
        }

        try
        {
            await indexer.IndexModelAsync(modelId, cancellationToken);
        }
        catch (Exception e) when (retryCount >= RetryAttempts && !cancellationToken.IsCancellationRequested)
        {
            LogGaveUp(logger, e, modelId, retryCount + 1);
            // The reason is shown to API clients: the exception's type, not its text (which may hold
            // paths or internals); the full exception is in this log and on the job dashboard.
            var reason = $"Indexing failed after {retryCount + 1} attempts ({e.GetType().Name}); see the server log.";
            await catalog.SetModelStatusAsync(modelId, ModelStatus.Failed, reason, CancellationToken.None);
            throw; // the job itself ends Failed too, visible on the dashboard
        }
    }

    private static int RetryCount(PerformContext? context) =>
        context?.GetJobParameter<int>("RetryCount", allowStale: true) ?? 0;

    [LoggerMessage(Level = LogLevel.Information, Message = "Model {ModelId} no longer exists; skipping its probe")]
    private static partial void LogModelGone(ILogger logger, string modelId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Indexing model {ModelId} failed on attempt {Attempt}, the last one; marking it failed")]
    private static partial void LogGaveUp(ILogger logger, Exception exception, string modelId, int attempt);
}
