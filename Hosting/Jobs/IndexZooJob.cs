using Hangfire;
using Know2Vec.Core.Catalog;
using Microsoft.Extensions.Logging;

namespace Know2Vec.Hosting.Jobs;

/// <summary>
/// Fans a zoo out into one <see cref="ProbeModelJob"/> per model that is not yet indexed (pending,
/// or left "indexing" by an interrupted run). Idempotent: running it again queues those models
/// again, and a probe overwrites what an earlier one stored. Failed models are final until a
/// caller re-queues them explicitly.
/// </summary>
public sealed partial class IndexZooJob(ICatalog catalog, IBackgroundJobClient jobs, ILogger<IndexZooJob> logger)
{
    [AutomaticRetry(Attempts = 3)]
    [JobDisplayName("Index zoo {0}")]
    public async Task Run(string zooId, CancellationToken cancellationToken)
    {
        var models = await catalog.ListModelsAsync(new ModelFilter(ZooId: zooId), cancellationToken);
        if (models.Count == 0 && await catalog.GetZooAsync(zooId, cancellationToken) is null)
        {
            LogZooGone(logger, zooId);
            return;
        }

        var queued = 0;
        foreach (var model in models)
        {
            if (model.Status is ModelStatus.Pending or ModelStatus.Indexing)
            {
                var modelId = model.Id;
                jobs.Enqueue<ProbeModelJob>(job => job.Run(modelId, null, CancellationToken.None));
                queued++;
            }
        }
        LogQueued(logger, zooId, queued, models.Count);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Zoo {ZooId} no longer exists; nothing to index")]
    private static partial void LogZooGone(ILogger logger, string zooId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Zoo {ZooId}: queued {Queued} of {Total} models for probing")]
    private static partial void LogQueued(ILogger logger, string zooId, int queued, int total);
}
