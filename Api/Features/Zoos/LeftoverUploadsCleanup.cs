using Know2Vec.Core.Catalog;
using Know2Vec.Hosting;

namespace Know2Vec.Api.Features.Zoos;

/// <summary>
/// At start: uploads interrupted by a crash leave a staging folder, or an upload folder that no zoo
/// refers to (moved but never catalogued): neither is reachable, both hold up to an upload's size.
/// Only folders untouched for an hour go, so that another Api replica sharing the data directory
/// (distributed mode) never loses an upload in progress.
/// </summary>
internal sealed partial class LeftoverUploadsCleanup(ICatalog catalog, Know2VecPaths paths, ILogger<LeftoverUploadsCleanup> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var cutoff = DateTime.UtcNow - TimeSpan.FromHours(1);
        var roots = (await catalog.ListZoosAsync(cancellationToken))
            .Select(z => Path.GetFullPath(z.RootDirectory)).ToHashSet(StringComparer.Ordinal);
        var leftovers = Subfolders(paths.Staging)
            .Concat(Subfolders(paths.UploadedZoos).Where(f => !roots.Contains(Path.GetFullPath(f))))
            .Where(f => Directory.GetLastWriteTimeUtc(f) < cutoff);
        foreach (var folder in leftovers)
        {
            Directory.Delete(folder, recursive: true);
            LogRemovedLeftover(logger, folder);
        }

        static string[] Subfolders(string path) => Directory.Exists(path) ? Directory.GetDirectories(path) : [];
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Removed {Folder}: files of an upload that was never registered")]
    private static partial void LogRemovedLeftover(ILogger logger, string folder);
}
