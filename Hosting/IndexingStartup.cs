using Know2Vec.Core.Catalog;
using Know2Vec.Core.Indexing;
using Know2Vec.Core.Inference;
using Know2Vec.Core.Vectors;
using Know2Vec.Core.Zoo;
using Know2Vec.Hosting.Jobs;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Know2Vec.Hosting;

/// <summary>
/// Start-up work of the process that owns the catalog: registers seed manifests whose zoo was never
/// seeded into this data directory (<see cref="SeededZoos"/>: a deleted seed zoo stays deleted), then queues <see cref="IndexZooJob"/> for every zoo that still has pending or
/// interrupted ("indexing") models. Both steps are idempotent, so every restart resumes where the
/// last one stopped; jobs still in Hangfire's persisted queue only repeat work that overwrites itself.
/// </summary>
public sealed partial class IndexingStartup(
    ICatalog catalog,
    IVectorIndex index,
    IModelIndexer indexer,
    ZooRegistry registry,
    IIndexingScheduler scheduler,
    Know2VecPaths paths,
    OnnxSessionFactory sessions,
    ILogger<IndexingStartup> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        LogStarting(logger, sessions.ActiveProvider, indexer.AlignmentVersion, paths.DataDirectory);
        Directory.CreateDirectory(paths.DataDirectory);

        var queued = new HashSet<string>(StringComparer.Ordinal);
        if (LoadSeededZoos() is { } seeded)
        {
            foreach (var manifest in paths.SeedManifests)
            {
                if (await SeedAsync(manifest, seeded, cancellationToken) is { } zooId)
                {
                    scheduler.EnqueueIndexZoo(zooId);
                    queued.Add(zooId);
                }
            }
        }

        foreach (var zooId in await UnfinishedZoosAsync(cancellationToken))
        {
            if (queued.Add(zooId))
            {
                scheduler.EnqueueIndexZoo(zooId);
                LogResumed(logger, zooId);
            }
        }

        if (await StaleVectorsAsync(cancellationToken) is > 0 and var stale)
        {
            scheduler.EnqueueReencode();
            LogReencoding(logger, stale, indexer.AlignmentVersion);
        }
    }

    /// <summary>The seeded zoos; null (seed nothing) when the file cannot be read: seeding blind could bring deleted zoos back.</summary>
    private SeededZoos? LoadSeededZoos()
    {
        try
        {
            return SeededZoos.Load(paths.SeededZoos);
        }
        catch (System.Text.Json.JsonException e)
        {
            LogSeededZoosUnreadable(logger, paths.SeededZoos, e.Message);
            return null;
        }
    }

    /// <summary>Indexed models whose vector was written by another alignment version.</summary>
    private async Task<int> StaleVectorsAsync(CancellationToken cancellationToken)
    {
        var stale = 0;
        foreach (var id in await catalog.ListModelIdsAsync(ModelStatus.Indexed, cancellationToken))
        {
            if ((await index.GetAsync(id, cancellationToken))?.Payload.AlignmentVersion != indexer.AlignmentVersion)
            {
                stale++;
            }
        }

        return stale;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// Registers one seed manifest unless its zoo was seeded before (and is still there, or was
    /// deleted since: <see cref="SeededZoos"/>); returns its zoo id when it was added now.
    /// </summary>
    private async Task<string?> SeedAsync(string manifestPath, SeededZoos seeded, CancellationToken cancellationToken)
    {
        if (!File.Exists(manifestPath))
        {
            LogSeedMissing(logger, manifestPath);
            return null;
        }

        try
        {
            var json = await File.ReadAllTextAsync(manifestPath, cancellationToken);
            var root = Path.GetDirectoryName(Path.GetFullPath(manifestPath))!;
            // The id only (no file is read): registering validates the whole manifest.
            var zooId = ZooRegistry.ZooIdOf(ManifestValidator.Validate(json, root, requireFiles: false, maxInputValues: registry.MaxInputValues));
            if (seeded.Contains(zooId))
            {
                if (await catalog.GetZooAsync(zooId, cancellationToken) is null)
                {
                    LogSeedDeleted(logger, zooId, manifestPath, paths.SeededZoos);
                }
                else
                {
                    LogSeedKnown(logger, zooId, manifestPath);
                }
                return null;
            }

            var registration = await registry.RegisterAsync(json, root, cancellationToken);
            seeded.Add(zooId, manifestPath);
            LogSeeded(logger, registration.Zoo.Id, registration.Models.Count, manifestPath);
            return registration.Zoo.Id;
        }
        catch (ZooAlreadyExistsException e)
        {
            // Registered before seeds were remembered (or by hand): it counts as seeded from now on.
            seeded.Add(e.ZooId, manifestPath);
            LogSeedKnown(logger, e.ZooId, manifestPath);
            return null;
        }
        catch (ManifestValidationException e)
        {
            // A broken seed must not keep the service from serving the zoos it already has.
            LogSeedInvalid(logger, manifestPath, string.Join("; ", e.Problems.Select(p => $"{p.Location}: {p.Message}")));
            return null;
        }
    }

    private async Task<IEnumerable<string>> UnfinishedZoosAsync(CancellationToken cancellationToken)
    {
        var pending = await catalog.ListModelIdsAsync(ModelStatus.Pending, cancellationToken);
        var indexing = await catalog.ListModelIdsAsync(ModelStatus.Indexing, cancellationToken);
        // Model ids are "{zooId}:{name}" and zoo ids contain no ':'.
        return pending.Concat(indexing)
            .Select(id => id[..id.IndexOf(':', StringComparison.Ordinal)])
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .ToArray();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Know2Vec starting: ONNX execution provider {Provider}, alignment {Alignment}, data directory {DataDirectory}")]
    private static partial void LogStarting(ILogger logger, string provider, string alignment, string dataDirectory);

    [LoggerMessage(Level = LogLevel.Information, Message = "Seeded zoo {ZooId} ({Models} models) from {Manifest}")]
    private static partial void LogSeeded(ILogger logger, string zooId, int models, string manifest);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Seed zoo {ZooId} from {Manifest} is already registered")]
    private static partial void LogSeedKnown(ILogger logger, string zooId, string manifest);

    [LoggerMessage(Level = LogLevel.Information, Message = "Seed zoo {ZooId} from {Manifest} was deleted after it was seeded and stays deleted (remove it from {SeededZoos} to seed it again)")]
    private static partial void LogSeedDeleted(ILogger logger, string zooId, string manifest, string seededZoos);

    [LoggerMessage(Level = LogLevel.Error, Message = "{SeededZoos} cannot be read ({Problem}): no seed manifest is registered until it is fixed or removed")]
    private static partial void LogSeededZoosUnreadable(ILogger logger, string seededZoos, string problem);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Seed manifest {Manifest} does not exist; skipped")]
    private static partial void LogSeedMissing(ILogger logger, string manifest);

    [LoggerMessage(Level = LogLevel.Error, Message = "Seed manifest {Manifest} is invalid and was skipped: {Problems}")]
    private static partial void LogSeedInvalid(ILogger logger, string manifest, string problems);

    [LoggerMessage(Level = LogLevel.Information, Message = "Resuming unfinished indexing of zoo {ZooId}")]
    private static partial void LogResumed(ILogger logger, string zooId);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Stale} indexed models have vectors of another alignment; re-encoding them with {Version}")]
    private static partial void LogReencoding(ILogger logger, int stale, string version);
}
