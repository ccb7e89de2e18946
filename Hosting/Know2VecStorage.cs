using Hangfire;
using Hangfire.PostgreSql;
using Hangfire.Storage.SQLite;
using Know2Vec.Core.Catalog;
using Know2Vec.Core.Vectors;
using Know2Vec.Storage.Postgres;
using Know2Vec.Storage.Qdrant;
using Know2Vec.Storage.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Know2Vec.Hosting;

/// <summary>
/// The storage half of the composition root: which catalog, vector index and job store a process
/// uses (<see cref="StorageOptions"/>, <see cref="JobOptions.Storage"/>), and the explicit schema
/// migrations of distributed mode (<see cref="MigrateAsync"/>). Every implementation is a singleton
/// built on first use, so configuration added after registration still counts.
/// </summary>
public static partial class Know2VecStorage
{
    /// <summary>
    /// Registers every storage adapter (each by its own type, through its own registration; nothing is
    /// built or connected before first use) and picks the ones that serve <see cref="ICatalog"/> and
    /// <see cref="IVectorIndex"/> from <see cref="StorageOptions"/> when they are first resolved.
    /// </summary>
    internal static void AddCatalogAndVectors(IServiceCollection services)
    {
        services.AddSingleton<IValidateOptions<Know2VecOptions>, StorageOptionsValidator>();

        // Embedded: one SQLite file holds the catalog and the vector index (their tables do not clash).
        services.AddSqliteStorage(sp => OwnedFile(sp, sp.GetRequiredService<Know2VecPaths>().CatalogDatabase));
        // Distributed: one PostgreSQL pool per process, shared by the catalog (Hangfire opens its own
        // connections from the same string), and one Qdrant client.
        services.AddPostgresCatalog(
            sp => RequireConnectionString(sp.GetRequiredService<IOptions<Know2VecOptions>>().Value),
            sp => sp.GetRequiredService<IOptions<Know2VecOptions>>().Value.Postgres.CatalogSchema);
        services.AddQdrantVectorIndex();

        services.AddSingleton<ICatalog>(sp =>
            sp.GetRequiredService<IOptions<Know2VecOptions>>().Value.Storage.Catalog switch
            {
                CatalogStore.Postgres => sp.GetRequiredService<PostgresCatalog>(),
                _ => sp.GetRequiredService<SqliteCatalog>(),
            });
        services.AddSingleton<IVectorIndex>(sp =>
            sp.GetRequiredService<IOptions<Know2VecOptions>>().Value.Storage.Vectors switch
            {
                VectorStore.Qdrant => sp.GetRequiredService<QdrantVectorIndex>(),
                _ => sp.GetRequiredService<EmbeddedVectorIndex>(),
            });
    }

    /// <summary>The Hangfire job store of this process.</summary>
    internal static JobStorage CreateJobStorage(IServiceProvider services)
    {
        var options = services.GetRequiredService<IOptions<Know2VecOptions>>().Value;
        var jobs = options.Jobs;
        if (jobs.Storage == JobStore.Postgres)
        {
            var storageOptions = PostgresJobStorageOptions(options);
            return new PostgreSqlStorage(new Hangfire.PostgreSql.Factories.NpgsqlConnectionFactory(RequireConnectionString(options), storageOptions), storageOptions);
        }
        var paths = services.GetRequiredService<Know2VecPaths>();
        services.GetRequiredService<DataDirectoryLock>(); // an embedded job store has one process
        Directory.CreateDirectory(Path.GetDirectoryName(paths.JobDatabase)!);
        // The store's invisibility timeout stays at its 30 minutes: Hangfire.Storage.SQLite never renews
        // a fetched job, so a shorter one would hand a long probe to a second worker while the first
        // still runs it. Jobs of a crashed process are handed back at start instead (RecoverAfterCrash).
        var storage = new SQLiteStorage(paths.JobDatabase, new SQLiteStorageOptions { QueuePollInterval = jobs.QueuePollInterval });
        var (requeued, locks) = RecoverAfterCrash(storage);
        if (requeued + locks > 0)
        {
            LogRecovered(services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(Know2VecStorage)), requeued, locks);
        }
        return storage;
    }

    /// <summary>
    /// Puts back in the queue every job a previous process fetched and never finished (it was killed or
    /// crashed: a process that stops gracefully re-queues its own), and drops the job-store locks it
    /// held. Only for the embedded store, whose data directory this process has locked
    /// (<see cref="DataDirectoryLock"/>), so no other process can be running those jobs. Hangfire then
    /// runs them again within a poll interval instead of after the 30-minute invisibility timeout; the
    /// jobs are idempotent. Runs before any job server or client uses the store.
    /// </summary>
    /// <returns>How many jobs were re-queued and how many locks dropped.</returns>
    internal static (int Requeued, int Locks) RecoverAfterCrash(SQLiteStorage storage)
    {
        using var db = storage.CreateAndOpenConnection();
        var fetched = db.JobQueueRepository.Where(job => job.FetchedAt != DateTime.MinValue).ToList();
        foreach (var job in fetched)
        {
            job.FetchedAt = DateTime.MinValue; // what the store writes when a worker re-queues a job
            db.Database.Update(job);
        }
        var locks = db.Database.DeleteAll<Hangfire.Storage.SQLite.Entities.DistributedLock>();
        return (fetched.Count, locks);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The previous process stopped without finishing {Requeued} jobs (it was killed or crashed): they are queued again; {Locks} job-store locks it held were released")]
    private static partial void LogRecovered(ILogger logger, int requeued, int locks);

    /// <summary>
    /// Whether this process owns its data directory: it uses an embedded store that only one process may
    /// use (the SQLite catalog or the SQLite job store). The embedded vector index alone does not count:
    /// it is only ever shared as a stand-in for Qdrant, under a PostgreSQL catalog.
    /// </summary>
    internal static bool OwnsDataDirectory(Know2VecOptions options) =>
        options.Storage.Catalog == CatalogStore.Sqlite || options.Jobs.Storage == JobStore.Sqlite;

    /// <summary>A file of the embedded stores; using it takes the data directory's lock when this process owns the directory.</summary>
    private static string OwnedFile(IServiceProvider services, string path)
    {
        if (OwnsDataDirectory(services.GetRequiredService<IOptions<Know2VecOptions>>().Value))
        {
            services.GetRequiredService<DataDirectoryLock>();
        }
        return path;
    }

    private static PostgreSqlStorageOptions PostgresJobStorageOptions(Know2VecOptions options) => new()
    {
        SchemaName = options.Postgres.JobSchema,
        QueuePollInterval = options.Jobs.QueuePollInterval,
        // A worker renews its fetched jobs every InvisibilityTimeout / 5, so a short timeout only
        // shortens how long the jobs of a killed worker wait before another worker takes them.
        InvisibilityTimeout = options.Jobs.InvisibilityTimeout,
        UseSlidingInvisibilityTimeout = true,
        // The schema is installed by the deploy step (MigrateAsync), not by whichever process starts first.
        PrepareSchemaIfNecessary = false,
    };

    /// <summary>
    /// The deploy step of distributed mode (<c>dotnet run --project Indexer -- migrate</c>): creates or
    /// upgrades the PostgreSQL catalog schema and installs Hangfire's schema, for the stores that are
    /// PostgreSQL. Idempotent; SQLite stores manage their own schema and need nothing here.
    /// </summary>
    /// <returns>One line per store, saying what was done.</returns>
    public static async Task<IReadOnlyList<string>> MigrateAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        var options = services.GetRequiredService<IOptions<Know2VecOptions>>().Value;
        var done = new List<string>();
        if (options.Storage.Catalog == CatalogStore.Postgres)
        {
            var (from, to) = await PostgresCatalogSchema.MigrateAsync(
                services.GetRequiredService<NpgsqlDataSource>(), options.Postgres.CatalogSchema, cancellationToken);
            done.Add(from == to
                ? $"catalog: schema '{options.Postgres.CatalogSchema}' is current (version {to})"
                : $"catalog: schema '{options.Postgres.CatalogSchema}' migrated from version {from} to {to}");
        }
        else
        {
            done.Add("catalog: SQLite, migrated by the service itself");
        }

        if (options.Jobs.Storage == JobStore.Postgres)
        {
            await using var connection = await services.GetRequiredService<NpgsqlDataSource>().OpenConnectionAsync(cancellationToken);
            // Hangfire.PostgreSql's own installer: versioned scripts under an advisory lock, idempotent.
            PostgreSqlObjectsInstaller.Install(connection, options.Postgres.JobSchema);
            done.Add($"jobs: Hangfire schema '{options.Postgres.JobSchema}' installed or current");
        }
        else
        {
            done.Add("jobs: SQLite, migrated by the service itself");
        }
        return done;
    }

    private static string RequireConnectionString(Know2VecOptions options) =>
        string.IsNullOrWhiteSpace(options.Postgres.ConnectionString)
            ? throw new InvalidOperationException("Know2Vec:Postgres:ConnectionString is required when a store is Postgres.")
            : options.Postgres.ConnectionString;

    /// <summary>Cross-field rules the data annotations cannot say.</summary>
    private sealed class StorageOptionsValidator : IValidateOptions<Know2VecOptions>
    {
        public ValidateOptionsResult Validate(string? name, Know2VecOptions options)
        {
            var usesPostgres = options.Storage.Catalog == CatalogStore.Postgres || options.Jobs.Storage == JobStore.Postgres;
            if (usesPostgres && string.IsNullOrWhiteSpace(options.Postgres.ConnectionString))
            {
                return ValidateOptionsResult.Fail(
                    "Know2Vec:Postgres:ConnectionString is required when Know2Vec:Storage:Catalog or Know2Vec:Jobs:Storage is Postgres.");
            }
            return ValidateOptionsResult.Success;
        }
    }
}
