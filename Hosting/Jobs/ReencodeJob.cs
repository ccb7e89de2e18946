using Hangfire;
using Know2Vec.Core.Catalog;
using Know2Vec.Core.Indexing;
using Microsoft.Extensions.Logging;

namespace Know2Vec.Hosting.Jobs;

/// <summary>
/// After the alignment changes (a trained one installed, or a new version), re-encodes every
/// indexed model's stored knowledge tensor into a vector of the current version — no re-probing.
/// Idempotent: models whose vector already has the current version are skipped.
/// </summary>
public sealed partial class ReencodeJob(IModelIndexer indexer, ICatalog catalog, ILogger<ReencodeJob> logger)
{
    [AutomaticRetry(Attempts = 3)]
    [JobDisplayName("Re-encode stored knowledge with the current alignment")]
    public async Task Run(CancellationToken cancellationToken)
    {
        var ids = await catalog.ListModelIdsAsync(ModelStatus.Indexed, cancellationToken);
        var reencoded = 0;
        foreach (var id in ids)
        {
            if (await indexer.ReencodeAsync(id, cancellationToken))
            {
                reencoded++;
            }
        }

        LogDone(logger, reencoded, ids.Count, indexer.AlignmentVersion);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Re-encoded {Reencoded} of {Indexed} indexed models with alignment {Version}")]
    private static partial void LogDone(ILogger logger, int reencoded, int indexed, string version);
}
