using System.Security.Cryptography;
using Know2Vec.Core.Alignment;
using Know2Vec.Core.Catalog;
using Know2Vec.Core.Indexing;
using Know2Vec.Core.Probing;
using Know2Vec.Core.Querying;
using Know2Vec.Core.Vectors;
using Know2Vec.Core.Zoo;
using Know2Vec.Storage.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Know2Vec.Core.Tests.Method;

/// <summary>
/// A test's own storage and pipeline: a real SQLite catalog and embedded vector index in a temp
/// folder, a zoo root beside them, and the indexer and query service wired as the service does
/// (probe pool v1, uncentred zero-shot alignment, the shared real featurizer).
/// </summary>
public sealed class MethodStore : IDisposable
{
    private readonly TempDirectory _directory = new();

    public MethodStore(MethodFixture fixture, QueryOptions? queryOptions = null)
    {
        ZooRoot = _directory.File("zoo");
        Directory.CreateDirectory(ZooRoot);
        Catalog = new SqliteCatalog(_directory.File("know2vec.db"));
        Index = new EmbeddedVectorIndex(_directory.File("know2vec.db"));
        Alignment = new ZeroShotAlignment(new float[fixture.Featurizer.Dimension]);
        var prober = new ModelProber(fixture.Featurizer, fixture.Pool, Options.Create(new ProbingOptions()));
        Indexer = new ModelIndexer(Catalog, Index, fixture.Sessions, prober, Alignment, NullLogger<ModelIndexer>.Instance);
        Queries = new QueryService(fixture.Featurizer, Alignment, Index, Catalog, Options.Create(queryOptions ?? new QueryOptions()));
    }

    /// <summary>The folder this test's zoo files live in (may be replaced by <see cref="RegisterAsync"/>'s root).</summary>
    public string ZooRoot { get; }

    /// <summary>A folder of this test's own outside the zoo root.</summary>
    public string Outside => _directory.Path;

    public SqliteCatalog Catalog { get; }

    public EmbeddedVectorIndex Index { get; }

    public ZeroShotAlignment Alignment { get; }

    public ModelIndexer Indexer { get; }

    public QueryService Queries { get; }

    /// <summary>Stores a zoo of these models (records built as registration builds them), all pending; returns model ids by manifest id.</summary>
    public async Task<Dictionary<string, string>> RegisterAsync(string name, IReadOnlyList<ManifestModel> models, string? root = null)
    {
        var manifest = new ZooManifest(name, "1.0.0", null, models);
        var registration = ZooRegistry.BuildRecords(manifest, root ?? ZooRoot, DateTimeOffset.UnixEpoch);
        Assert.True(await Catalog.TryAddZooAsync(registration.Zoo, registration.Models, CancellationToken.None));
        return registration.Models.ToDictionary(m => m.Name, m => m.Id);
    }

    /// <summary>Writes <paramref name="bytes"/> under the zoo root; returns its lowercase hex sha256.</summary>
    public string WriteZooFile(string relative, byte[] bytes)
    {
        var path = Path.Combine(ZooRoot, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, bytes);
        return Sha256(bytes);
    }

    public static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    public void Dispose()
    {
        Index.Dispose();
        Catalog.Dispose();
        _directory.Dispose();
    }
}
