using Hangfire;
using Hangfire.AspNetCore;
using Hangfire.Storage.SQLite;
using Know2Vec.Core.Alignment;
using Know2Vec.Core.Catalog;
using Know2Vec.Core.Featurization;
using Know2Vec.Core.Imaging;
using Know2Vec.Core.Indexing;
using Know2Vec.Core.Inference;
using Know2Vec.Core.Probing;
using Know2Vec.Core.Querying;
using Know2Vec.Core.Vectors;
using Know2Vec.Core.Zoo;
using Know2Vec.Hosting;
using Know2Vec.Hosting.Jobs;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Know2Vec.Hosting;

/// <summary>
/// The one composition root for Core, used by the Api and (distributed mode) the worker host.
/// Nothing here reads configuration eagerly: options are bound now and read when first resolved,
/// so a host (or a test) may still add configuration after these calls.
/// </summary>
public static class Know2VecServiceCollectionExtensions
{
    /// <summary>
    /// Options (validated at start), the featurizer, image decoder, catalog, vector index, probe
    /// pool, indexer, query service and zoo registry, all singletons (they are thread-safe and
    /// expensive to build: ONNX sessions, SQLite files).
    /// </summary>
    public static IServiceCollection AddKnow2VecCore(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.TryAddSingleton(configuration);

        services.AddOptions<Know2VecOptions>().BindConfiguration(Know2VecOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<InferenceOptions>().BindConfiguration(InferenceOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<FeaturizerOptions>().BindConfiguration(FeaturizerOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<ImageDecoderOptions>().BindConfiguration(ImageDecoderOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();

        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<Know2VecPaths>();
        services.AddSingleton<DataDirectoryLock>(); // taken when an embedded store is first used (Know2VecStorage)
        services.AddSingleton<OnnxSessionFactory>();
        services.AddSingleton<IFeaturizer, ResNet18Featurizer>();
        services.AddSingleton<ImageDecoder>();
        services.AddSingleton<ZooRegistry>();
        services.AddSingleton(sp => new ZooDeletion(
            sp.GetRequiredService<ICatalog>(), sp.GetRequiredService<IVectorIndex>(), sp.GetRequiredService<Know2VecPaths>().UploadedZoos));

        AddStorage(services);
        AddMethod(services);
        return services;
    }

    /// <summary>
    /// Hangfire (on SQLite under the data directory, or on PostgreSQL: <see cref="JobOptions.Storage"/>)
    /// with the indexing jobs, the start-up seeding and resume, and — unless <see cref="JobOptions.RunServer"/>
    /// is false (the distributed Api) — a job server in this process (embedded mode).
    /// </summary>
    /// <remarks>
    /// Hangfire keeps its storage, activator and log provider in statics that
    /// <c>AddHangfire</c> fills. This registers per-host instances first (AddHangfire only
    /// TryAdds), so several hosts in one process — integration tests — each use their own job
    /// store and their own container.
    /// </remarks>
    public static IServiceCollection AddKnow2VecJobs(this IServiceCollection services)
    {
        AddJobInfrastructure(services);
        services.AddHostedService<IndexingStartup>();

        services.AddHostedService<JobServerHost>();
        return services;
    }

    /// <summary>
    /// The worker host of distributed mode (<c>dotnet run --project Indexer</c>): the job store, the
    /// jobs and a Hangfire server, always on — no seeding and no resume (the Api owns those), no API.
    /// </summary>
    public static IServiceCollection AddKnow2VecWorker(this IServiceCollection services)
    {
        AddJobInfrastructure(services);
        services.PostConfigure<Know2VecOptions>(options => options.Jobs.RunServer = true);
        services.AddHostedService<JobServerHost>();
        return services;
    }

    /// <summary>Job store (SQLite or PostgreSQL, <see cref="JobOptions.Storage"/>), Hangfire, the jobs and the scheduler.</summary>
    private static void AddJobInfrastructure(IServiceCollection services)
    {
        services.AddSingleton<JobStorage>(Know2VecStorage.CreateJobStorage);
        // The host waits longer than Hangfire's own shutdown timeout, so running jobs are cancelled
        // and re-queued by Hangfire rather than killed by the host.
        services.AddOptions<HostOptions>().Configure<IOptions<Know2VecOptions>>((host, know2vec) =>
        {
            var needed = know2vec.Value.Jobs.ShutdownTimeout + TimeSpan.FromSeconds(10);
            if (host.ShutdownTimeout < needed)
            {
                host.ShutdownTimeout = needed;
            }
        });
        services.AddSingleton<JobActivator>(sp => new AspNetCoreJobActivator(sp.GetRequiredService<IServiceScopeFactory>()));
        services.AddHangfire((sp, config) => config
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings()
            .UseLogProvider(new HangfireLogProvider(sp.GetRequiredService<ILoggerFactory>())));

        services.AddTransient<IndexZooJob>();
        services.AddTransient<ProbeModelJob>();
        services.AddTransient<ReencodeJob>();
        services.AddSingleton<IIndexingScheduler, HangfireIndexingScheduler>();
    }

    // Embedded (SQLite) or distributed (PostgreSQL, Qdrant) stores, chosen by Know2Vec:Storage.
    private static void AddStorage(IServiceCollection services) => Know2VecStorage.AddCatalogAndVectors(services);

    private static void AddMethod(IServiceCollection services)
    {
        services.AddOptions<ProbingOptions>().BindConfiguration(ProbingOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<QueryOptions>().BindConfiguration(QueryOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton(sp => ProbePool.Load(sp.GetRequiredService<Know2VecPaths>().ProbePoolDirectory));
        services.AddSingleton<ModelProber>();

        // The trained alignment when its folder holds one, else zero-shot (class-set matching, the best
        // parameter-free variant on the benchmark: dotnet run --project Evaluation -c Release -- zero-shot).
        services.AddOptions<AlignmentOptions>().BindConfiguration(AlignmentOptions.SectionName);
        services.AddSingleton<IAlignment>(sp =>
        {
            var configured = sp.GetRequiredService<IOptions<AlignmentOptions>>().Value.Directory;
            var directory = string.IsNullOrWhiteSpace(configured) ? null : sp.GetRequiredService<Know2VecPaths>().Resolve(configured);
            if (directory is not null && TrainedAlignment.Exists(directory))
            {
                return TrainedAlignment.Load(directory, sp.GetRequiredService<OnnxSessionFactory>());
            }

            if (directory is not null)
            {
                // Configured but absent or incomplete: say so, since rankings differ a lot (RESULTS.md).
                sp.GetRequiredService<ILoggerFactory>().CreateLogger("Know2Vec.Alignment").LogWarning(
                    "No trained alignment in {Directory} (needs {Files}); using zero-shot", directory,
                    string.Join(", ", TrainedAlignment.DescriptorFile, TrainedAlignment.ModelTowerFile, TrainedAlignment.QueryTowerFile));
            }

            return new ZeroShotAlignment(new float[sp.GetRequiredService<IFeaturizer>().Dimension]);
        });
        services.AddSingleton<IModelIndexer, ModelIndexer>();
        services.AddSingleton<ClassifierCache>();
        services.AddSingleton<ModelRunner>();
        services.AddSingleton<ForwardPassReranker>();
        services.AddSingleton<IQueryService, QueryService>();
    }
}
