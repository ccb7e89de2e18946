using Know2Vec.Core.Vectors;
using Qdrant.Client;

namespace Know2Vec.Storage.Tests;

/// <summary>
/// The vector index contract against a live Qdrant (a gRPC URL in KNOW2VEC_TEST_QDRANT, e.g.
/// http://localhost:6334 from <c>docker compose up qdrant</c>); skipped with that reason otherwise.
/// Each test uses an alias of its own and drops its collections afterwards.
/// </summary>
[Trait("Category", "Qdrant")]
[RequiresEnvironment(Variable, "set it to Qdrant's gRPC URL (e.g. http://localhost:6334) to run the Qdrant contract; no Qdrant server can be installed here")]
public sealed class QdrantVectorIndexTests : VectorIndexContract, IAsyncLifetime
{
    public const string Variable = "KNOW2VEC_TEST_QDRANT";

    private readonly string _alias = $"t-{Guid.NewGuid():N}";
    private QdrantClient? _client;

    private QdrantClient Client => _client ??= new QdrantClient(new Uri(Environment.GetEnvironmentVariable(Variable)!),
        apiKey: Environment.GetEnvironmentVariable("KNOW2VEC_TEST_QDRANT_API_KEY"));

    protected override IVectorIndex CreateIndex() =>
        new QdrantVectorIndex(Client, new QdrantVectorIndexOptions { Collection = _alias, ExactSearch = true, UpsertBatchSize = 16 });

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_client is null)
        {
            return;
        }
        foreach (var name in await _client.ListCollectionsAsync())
        {
            if (name.StartsWith(_alias, StringComparison.Ordinal))
            {
                await _client.DeleteCollectionAsync(name);
            }
        }
        _client.Dispose();
    }

    [StorageFact]
    public async Task Rebuild_swaps_the_alias_without_a_search_ever_seeing_an_empty_index()
    {
        var index = (QdrantVectorIndex)CreateIndex();
        await index.UpsertAsync([Point("z:a", [1f, 0f]), Point("z:b", [0f, 1f])], CancellationToken.None);

        await using (var rebuild = await index.BeginRebuildAsync(3, CancellationToken.None))
        {
            await rebuild.Index.UpsertAsync([Point("z:a", [0f, 0f, 1f])], CancellationToken.None);
            Assert.Equal(2, await index.CountAsync(CancellationToken.None)); // still the old generation
            await rebuild.CompleteAsync(CancellationToken.None);
        }

        Assert.Equal(1, await index.CountAsync(CancellationToken.None));
        Assert.Equal(3, (await index.GetAsync("z:a", CancellationToken.None))!.Vector.Length);
        Assert.Equal(1, await CreateIndex().CountAsync(CancellationToken.None));
    }
}
