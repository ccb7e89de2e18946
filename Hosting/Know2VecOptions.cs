using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace Know2Vec.Hosting;

/// <summary>
/// Service-wide settings shared by every host (section <c>Know2Vec</c>); the Api's own (API key,
/// request limits) are in the Api's <c>ApiOptions</c>, bound to the same section. Relative paths resolve against
/// <see cref="BaseDirectory"/> (see <see cref="Know2VecPaths"/>).
/// </summary>
public sealed class Know2VecOptions
{
    public const string SectionName = "Know2Vec";

    /// <summary>
    /// Directory that relative paths below are resolved against. Default: the host's content root
    /// (the application directory when published). A relative value is itself resolved against the
    /// content root: the Api's launch profile sets ".." so that <c>dotnet run --project Api</c> from
    /// a checkout finds zoo-manifests/ at the repository root.
    /// </summary>
    public string? BaseDirectory { get; set; }

    /// <summary>Where the service keeps its state: catalog, vectors, job queue, uploaded zoos.</summary>
    [Required]
    public string DataDirectory { get; set; } = "./data";

    /// <summary>Root that model files of zoos registered with a JSON manifest body are resolved against.</summary>
    [Required]
    public string ZooRoot { get; set; } = "zoo-manifests";

    /// <summary>
    /// Manifests registered on start-up when their zoo id is not yet in the catalog (each one's model
    /// files resolve against the manifest's own folder). Blank entries are ignored, so an override
    /// such as <c>Know2Vec__SeedManifests__0=</c> turns the default seed off. The default list lives
    /// in appsettings.json, not here: the configuration binder appends to a list that has items.
    /// </summary>
    public List<string> SeedManifests { get; set; } = [];

    /// <summary>The probe pool: the fixed, versioned set of unlabelled images every model is probed on.</summary>
    [Required]
    public string ProbePoolDirectory { get; set; } = "zoo-manifests/probe-pool/v1";

    /// <summary>Background jobs.</summary>
    [Required]
    [ValidateObjectMembers]
    public JobOptions Jobs { get; set; } = new();

    /// <summary>Where the catalog and the vectors live (embedded SQLite by default; PostgreSQL and Qdrant in distributed mode).</summary>
    [Required]
    [ValidateObjectMembers]
    public StorageOptions Storage { get; set; } = new();

    /// <summary>The PostgreSQL server of distributed mode (catalog and/or jobs).</summary>
    [Required]
    [ValidateObjectMembers]
    public PostgresOptions Postgres { get; set; } = new();
}

/// <summary>Background job settings (section <c>Know2Vec:Jobs</c>).</summary>
public sealed class JobOptions
{
    /// <summary>Run a job server in this process (embedded mode). The distributed Api sets false and leaves jobs to workers.</summary>
    public bool RunServer { get; set; } = true;

    /// <summary>Concurrent jobs in this process. Probing is CPU-bound: about one per core.</summary>
    [Range(1, 256)]
    public int WorkerCount { get; set; } = 2;

    /// <summary>Hangfire's SQLite file, relative to the data directory.</summary>
    [Required]
    public string Database { get; set; } = "hangfire.db";

    /// <summary>How often idle workers look for new jobs. Hangfire.Storage.SQLite's default (15 s) makes indexing feel stuck.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:10:00")]
    public TimeSpan QueuePollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long shutdown waits for running jobs before cancelling them (they are re-queued and resume on the next start).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>The job store: <see cref="JobStore.Sqlite"/> (a file under the data directory, embedded mode) or <see cref="JobStore.Postgres"/> (shared by the Api and every worker).</summary>
    public JobStore Storage { get; set; } = JobStore.Sqlite;

    /// <summary>
    /// PostgreSQL job store: how long a fetched job stays invisible to other workers without a
    /// keep-alive. The owning worker renews it every fifth of this while the job runs (sliding), so
    /// it bounds how soon the jobs of a killed worker are taken over by the others, not how long a
    /// job may run.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan InvisibilityTimeout { get; set; } = TimeSpan.FromMinutes(5);
}
