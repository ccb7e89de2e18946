using Know2Vec.Core.Catalog;
using Know2Vec.Core.Vectors;

namespace Know2Vec.Storage.Tests;

public sealed class EmbeddedVectorIndexTests : VectorIndexContract, IDisposable
{
    private readonly TempDirectory _directory = new();
    private readonly List<IDisposable> _created = [];

    private string DatabasePath => _directory.File("know2vec.db");

    protected override IVectorIndex CreateIndex()
    {
        var index = new EmbeddedVectorIndex(DatabasePath);
        _created.Add(index);
        return index;
    }

    public void Dispose()
    {
        foreach (var created in _created)
        {
            created.Dispose();
        }
        _directory.Dispose();
    }

    [Fact]
    public async Task SharesOneFileWithTheCatalog()
    {
        using var catalog = new SqliteCatalog(DatabasePath);
        var index = CreateIndex();

        Assert.True(await catalog.TryAddZooAsync(new ZooRecord("z", "Z", "1", null, "/z", DateTimeOffset.UnixEpoch), [], CancellationToken.None));
        await index.UpsertAsync([Point("z:m", [1f, 2f])], CancellationToken.None);
        Assert.True(await catalog.DeleteZooAsync("z", CancellationToken.None));

        // Separate tables: the catalog's cascade does not reach the index, and vice versa.
        Assert.Equal(1, await CreateIndex().CountAsync(CancellationToken.None));
        using var reopened = new SqliteCatalog(DatabasePath);
        Assert.Empty(await reopened.ListZoosAsync(CancellationToken.None));
    }

    [Fact]
    public async Task LastPointDeleted_accepts_a_new_dimension()
    {
        var index = CreateIndex();
        await index.UpsertAsync([Point("z:a", [1f, 0f, 0f])], CancellationToken.None);
        await index.DeleteZooAsync("z", CancellationToken.None);

        await index.UpsertAsync([Point("z:b", [1f, 0f])], CancellationToken.None);

        Assert.Equal("z:b", Assert.Single(await index.SearchAsync([1f, 1f], 3, ModelFilter.None, CancellationToken.None)).ModelId);
        Assert.Equal(1, await CreateIndex().CountAsync(CancellationToken.None));
    }

    [Fact]
    public async Task CallerCannotMutateStoredData()
    {
        var index = CreateIndex();
        var vector = new float[] { 1f, 0f };
        var tags = new List<string> { "t" };
        await index.UpsertAsync([Point("z:a", vector, new VectorPayload("z", "mlp", tags, 1, "v1"))], CancellationToken.None);

        vector[0] = -1f;
        tags.Clear();
        (await index.GetAsync("z:a", CancellationToken.None))!.Vector[0] = -5f;

        var hit = Assert.Single(await index.SearchAsync([1f, 0f], 1, new ModelFilter(Tag: "t"), CancellationToken.None));
        Assert.Equal(1f, hit.Score, 1e-6f);
    }
}
