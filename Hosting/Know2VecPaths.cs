using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Know2Vec.Hosting;

/// <summary>
/// The absolute paths the service uses, resolved once from <see cref="Know2VecOptions"/>: relative
/// settings resolve against <see cref="Know2VecOptions.BaseDirectory"/>, itself relative to the
/// content root, so the service does not depend on the process's current directory.
/// </summary>
public sealed class Know2VecPaths
{
    public Know2VecPaths(IOptions<Know2VecOptions> options, IHostEnvironment? environment = null)
    {
        var o = options.Value;
        var contentRoot = environment?.ContentRootPath is { Length: > 0 } root ? root : Directory.GetCurrentDirectory();
        BaseDirectory = Path.GetFullPath(o.BaseDirectory is { Length: > 0 } b ? b : ".", contentRoot);
        DataDirectory = Resolve(o.DataDirectory);
        ZooRoot = Resolve(o.ZooRoot);
        ProbePoolDirectory = Resolve(o.ProbePoolDirectory);
        SeedManifests = o.SeedManifests.Where(s => !string.IsNullOrWhiteSpace(s)).Select(Resolve).ToArray();
        CatalogDatabase = Path.Combine(DataDirectory, "know2vec.db");
        JobDatabase = Path.GetFullPath(o.Jobs.Database, DataDirectory);
        UploadedZoos = Path.Combine(DataDirectory, "zoos");
        Staging = Path.Combine(DataDirectory, "staging");
        SeededZoos = Path.Combine(DataDirectory, "seeded-zoos.json");
    }

    /// <summary>What relative settings are resolved against.</summary>
    public string BaseDirectory { get; }

    public string DataDirectory { get; }

    /// <summary>Root of zoos registered with a JSON manifest body.</summary>
    public string ZooRoot { get; }

    public string ProbePoolDirectory { get; }

    /// <summary>Seed manifests, blank entries dropped.</summary>
    public IReadOnlyList<string> SeedManifests { get; }

    /// <summary>The SQLite file of the catalog and the embedded vector index.</summary>
    public string CatalogDatabase { get; }

    /// <summary>Hangfire's SQLite job store.</summary>
    public string JobDatabase { get; }

    /// <summary>Where zoos uploaded as multipart live: one folder per zoo id.</summary>
    public string UploadedZoos { get; }

    /// <summary>Where uploads are written before they are validated and moved.</summary>
    public string Staging { get; }

    /// <summary>The zoos seed manifests have registered here, so that a deleted seed zoo is not seeded again.</summary>
    public string SeededZoos { get; }

    /// <summary>Resolves a configured path against <see cref="BaseDirectory"/>.</summary>
    public string Resolve(string path) => Path.GetFullPath(path, BaseDirectory);
}
