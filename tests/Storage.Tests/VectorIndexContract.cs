using Know2Vec.Core.Catalog;
using Know2Vec.Core.Vectors;

namespace Know2Vec.Storage.Tests;

/// <summary>
/// The behaviour every <see cref="IVectorIndex"/> must have. Each implementation subclasses this
/// once (embedded now, Qdrant later) and provides <see cref="CreateIndex"/>.
/// </summary>
public abstract class VectorIndexContract
{
    private const float Tolerance = 1e-5f;

    /// <summary>
    /// A new index instance over this test's own, initially empty store. Every call within one test
    /// returns a fresh instance over the same data, so a second call is a restart.
    /// </summary>
    protected abstract IVectorIndex CreateIndex();

    private static CancellationToken Ct => CancellationToken.None;

    // ---- helpers ------------------------------------------------------------------------------

    protected static VectorPayload Payload(
        string zooId = "z",
        string architecture = "mlp",
        string[]? tags = null,
        long parameters = 1000,
        string alignment = "align-v1") =>
        new(zooId, architecture, tags ?? [], parameters, alignment);

    protected static VectorPoint Point(string id, float[] vector, VectorPayload? payload = null) =>
        new(id, vector, payload ?? Payload(zooId: id.Split(':')[0]));

    private static float Cosine(float[] a, float[] b)
    {
        double dot = 0, na = 0, nb = 0;
        for (var i = 0; i < a.Length; i++)
        {
            dot += (double)a[i] * b[i];
            na += (double)a[i] * a[i];
            nb += (double)b[i] * b[i];
        }
        return (float)(dot / Math.Sqrt(na * nb));
    }

    private static float[] RandomVector(Random random, int dimension)
    {
        var v = new float[dimension];
        for (var i = 0; i < dimension; i++)
        {
            v[i] = (float)(random.NextDouble() * 2 - 1);
        }
        return v;
    }

    /// <summary>
    /// The models of <see cref="CatalogContract"/>'s two-zoo seed, as points, so that the catalog and
    /// the index are checked against the same filters with the same expected results.
    /// </summary>
    private async Task<IVectorIndex> SeedTwoZoosAsync()
    {
        var index = CreateIndex();
        var random = new Random(17);
        await index.UpsertAsync(
        [
            Point("a:m1", RandomVector(random, 8), Payload("a", "mlp", ["fashion", "small"], 1_000)),
            Point("a:m2", RandomVector(random, 8), Payload("a", "cnn", ["fashion"], 50_000)),
            Point("a:m3", RandomVector(random, 8), Payload("a", "cnn", ["digits", "Small"], 200_000)),
            Point("a:m4", RandomVector(random, 8), Payload("a", "resnet", [], 2_000_000)),
            Point("b:m1", RandomVector(random, 8), Payload("b", "cnn", ["digits", "small"], 10_000)),
            Point("b:m2", RandomVector(random, 8), Payload("b", "mlp", ["fashion"], 300_000)),
        ], Ct);
        return index;
    }

    // ---- upsert / get / count --------------------------------------------------------------------

    [StorageFact]
    public async Task Upsert_then_get_returns_normalised_vector_and_payload()
    {
        var index = CreateIndex();
        var payload = Payload("z", "cnn", ["b", "a"], 123_456, "align-2025");

        await index.UpsertAsync([Point("z:m", [3f, 0f, 4f, 0f], payload)], Ct);

        var stored = await index.GetAsync("z:m", Ct);
        Assert.NotNull(stored);
        Assert.Equal("z:m", stored.ModelId);
        Assert.Equal([0.6f, 0f, 0.8f, 0f], stored.Vector, (x, y) => Math.Abs(x - y) < Tolerance);
        Assert.Equal("z", stored.Payload.ZooId);
        Assert.Equal("cnn", stored.Payload.Architecture);
        Assert.Equal(["b", "a"], stored.Payload.Tags);
        Assert.Equal(123_456, stored.Payload.Parameters);
        Assert.Equal("align-2025", stored.Payload.AlignmentVersion);
        Assert.Equal(1, await index.CountAsync(Ct));
        Assert.Null(await index.GetAsync("z:other", Ct));
    }

    [StorageFact]
    public async Task EmptyIndex_counts_zero_and_finds_nothing()
    {
        var index = CreateIndex();

        Assert.Equal(0, await index.CountAsync(Ct));
        Assert.Empty(await index.SearchAsync([1f, 0f], 5, ModelFilter.None, Ct));
        await index.UpsertAsync([], Ct);
        await index.DeleteAsync([], Ct);
        await index.DeleteAsync(["z:nothing"], Ct);
        await index.DeleteZooAsync("nothing", Ct);
        Assert.Equal(0, await index.CountAsync(Ct));
    }

    [StorageFact]
    public async Task Upsert_same_id_overwrites()
    {
        var index = CreateIndex();
        await index.UpsertAsync([Point("z:m", [1f, 0f, 0f]), Point("z:n", [0f, 1f, 0f])], Ct);

        var replacement = Point("z:m", [0f, 0f, 2f], Payload("z", "cnn", ["new"], 7, "align-v2"));
        await index.UpsertAsync([replacement], Ct);
        await index.UpsertAsync([replacement], Ct); // a re-run job: same result

        Assert.Equal(2, await index.CountAsync(Ct));
        var stored = await index.GetAsync("z:m", Ct);
        Assert.Equal([0f, 0f, 1f], stored!.Vector, (x, y) => Math.Abs(x - y) < Tolerance);
        Assert.Equal("align-v2", stored.Payload.AlignmentVersion);
        Assert.Equal(["new"], stored.Payload.Tags);
        var top = await index.SearchAsync([0f, 0f, 1f], 1, ModelFilter.None, Ct);
        Assert.Equal("z:m", Assert.Single(top).ModelId);
    }

    [StorageFact]
    public async Task Upsert_duplicate_id_in_one_batch_last_wins()
    {
        var index = CreateIndex();

        await index.UpsertAsync([Point("z:m", [1f, 0f]), Point("z:m", [0f, 1f])], Ct);

        Assert.Equal(1, await index.CountAsync(Ct));
        Assert.Equal([0f, 1f], (await index.GetAsync("z:m", Ct))!.Vector, (x, y) => Math.Abs(x - y) < Tolerance);
    }

    // ---- search ----------------------------------------------------------------------------------

    [StorageFact]
    public async Task Search_ranks_by_cosine_descending_and_honours_top_k()
    {
        var index = CreateIndex();
        var random = new Random(3);
        var points = Enumerable.Range(0, 50).Select(i => Point($"z:m{i:D2}", RandomVector(random, 16))).ToArray();
        await index.UpsertAsync(points, Ct);
        var query = RandomVector(random, 16);
        var expected = points
            .Select(p => (p.ModelId, Score: Cosine(query, p.Vector)))
            .OrderByDescending(p => p.Score)
            .ToArray();

        var hits = await index.SearchAsync(query, 10, ModelFilter.None, Ct);

        Assert.Equal(10, hits.Count);
        Assert.Equal(expected.Take(10).Select(e => e.ModelId), hits.Select(h => h.ModelId));
        for (var i = 0; i < hits.Count; i++)
        {
            Assert.Equal(expected[i].Score, hits[i].Score, Tolerance);
        }
        // Scale does not matter: cosine, not dot product.
        var scaled = await index.SearchAsync([.. query.Select(x => x * 1000f)], 10, ModelFilter.None, Ct);
        Assert.Equal(hits.Select(h => h.ModelId), scaled.Select(h => h.ModelId));
        // topK beyond the count returns everything, still ordered.
        var all = await index.SearchAsync(query, 500, ModelFilter.None, Ct);
        Assert.Equal(expected.Select(e => e.ModelId), all.Select(h => h.ModelId));
    }

    [StorageFact]
    public async Task Search_known_scores()
    {
        var index = CreateIndex();
        await index.UpsertAsync(
        [
            Point("z:same", [2f, 0f]),
            Point("z:orthogonal", [0f, 5f]),
            Point("z:opposite", [-1f, 0f]),
            Point("z:diagonal", [1f, 1f]),
        ], Ct);

        var hits = await index.SearchAsync([1f, 0f], 4, ModelFilter.None, Ct);

        Assert.Equal(["z:same", "z:diagonal", "z:orthogonal", "z:opposite"], hits.Select(h => h.ModelId));
        Assert.Equal(1f, hits[0].Score, Tolerance);
        Assert.Equal(MathF.Sqrt(0.5f), hits[1].Score, Tolerance);
        Assert.Equal(0f, hits[2].Score, Tolerance);
        Assert.Equal(-1f, hits[3].Score, Tolerance);
        Assert.Equal("z", hits[0].Payload.ZooId);
    }

    [StorageFact]
    public async Task Search_equal_scores_ordered_by_model_id()
    {
        var index = CreateIndex();
        await index.UpsertAsync(
        [
            Point("z:c", [1f, 0f, 0f]),
            Point("z:a", [1f, 0f, 0f]),
            Point("z:d", [0f, 1f, 0f]),
            Point("z:b", [1f, 0f, 0f]),
        ], Ct);

        var hits = await index.SearchAsync([1f, 0f, 0f], 3, ModelFilter.None, Ct);
        Assert.Equal(["z:a", "z:b", "z:c"], hits.Select(h => h.ModelId));

        var two = await index.SearchAsync([1f, 0f, 0f], 2, ModelFilter.None, Ct);
        Assert.Equal(["z:a", "z:b"], two.Select(h => h.ModelId));
    }

    [StorageTheory]
    [MemberData(nameof(CatalogContract.FilterCases), MemberType = typeof(CatalogContract))]
    public async Task Search_filters_same_results_as_the_catalog(string name, string expected)
    {
        var index = await SeedTwoZoosAsync();

        var hits = await index.SearchAsync([1f, 1f, 1f, 1f, 1f, 1f, 1f, 1f], 100, CatalogContract.Filters[name], Ct);

        Assert.Equal(
            expected.Split(',', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal),
            hits.Select(h => h.ModelId).Order(StringComparer.Ordinal));
    }

    [StorageFact]
    public async Task Search_filters_before_ranking()
    {
        var index = CreateIndex();
        var points = Enumerable.Range(0, 30)
            .Select(i => Point($"z:near{i:D2}", [1f, 0.01f * i], Payload("z", "mlp")))
            .Append(Point("z:far", [-1f, 0.1f], Payload("z", "rare-arch")))
            .ToArray();
        await index.UpsertAsync(points, Ct);

        // The only matching point is the least similar of all: it must still come back.
        var hits = await index.SearchAsync([1f, 0f], 5, new ModelFilter(Architecture: "rare-arch"), Ct);

        Assert.Equal("z:far", Assert.Single(hits).ModelId);
    }

    // ---- validation ------------------------------------------------------------------------------

    [StorageFact]
    public async Task DimensionMismatch_is_refused_and_writes_nothing()
    {
        var index = CreateIndex();
        await index.UpsertAsync([Point("z:a", [1f, 0f, 0f])], Ct);

        var upsert = await Assert.ThrowsAnyAsync<ArgumentException>(() => index.UpsertAsync([Point("z:b", [1f, 0f])], Ct));
        Assert.Contains("dimension", upsert.Message, StringComparison.OrdinalIgnoreCase);
        await Assert.ThrowsAnyAsync<ArgumentException>(() =>
            index.UpsertAsync([Point("z:c", [1f, 0f, 0f]), Point("z:d", [1f, 0f, 0f, 0f])], Ct));
        var search = await Assert.ThrowsAnyAsync<ArgumentException>(() => index.SearchAsync([1f, 0f, 0f, 0f], 3, ModelFilter.None, Ct));
        Assert.Contains("dimension", search.Message, StringComparison.OrdinalIgnoreCase);

        Assert.Equal(1, await index.CountAsync(Ct));
        Assert.Null(await index.GetAsync("z:c", Ct));
    }

    [StorageFact]
    public async Task InvalidVectorsAndArguments_are_refused()
    {
        var index = CreateIndex();
        await index.UpsertAsync([Point("z:a", [1f, 0f])], Ct);

        await Assert.ThrowsAnyAsync<ArgumentException>(() => index.UpsertAsync([Point("z:zero", [0f, 0f])], Ct));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => index.UpsertAsync([Point("z:nan", [float.NaN, 1f])], Ct));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => index.UpsertAsync([Point("", [1f, 1f])], Ct));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => index.SearchAsync([0f, 0f], 3, ModelFilter.None, Ct));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => index.SearchAsync([1f, 0f], 0, ModelFilter.None, Ct));

        Assert.Equal(1, await index.CountAsync(Ct));
    }

    // ---- delete ----------------------------------------------------------------------------------

    [StorageFact]
    public async Task Delete_removes_only_the_given_ids()
    {
        var index = await SeedTwoZoosAsync();

        await index.DeleteAsync(["a:m2", "b:m1", "a:unknown"], Ct);

        Assert.Equal(4, await index.CountAsync(Ct));
        Assert.Null(await index.GetAsync("a:m2", Ct));
        var remaining = await index.SearchAsync([1f, 1f, 1f, 1f, 1f, 1f, 1f, 1f], 100, ModelFilter.None, Ct);
        Assert.Equal(["a:m1", "a:m3", "a:m4", "b:m2"], remaining.Select(h => h.ModelId).Order(StringComparer.Ordinal));
    }

    [StorageFact]
    public async Task DeleteZoo_removes_only_that_zoo()
    {
        var index = await SeedTwoZoosAsync();

        await index.DeleteZooAsync("a", Ct);

        Assert.Equal(2, await index.CountAsync(Ct));
        var remaining = await index.SearchAsync([1f, 1f, 1f, 1f, 1f, 1f, 1f, 1f], 100, ModelFilter.None, Ct);
        Assert.Equal(["b:m1", "b:m2"], remaining.Select(h => h.ModelId).Order(StringComparer.Ordinal));
        Assert.Empty(await index.SearchAsync([1f, 1f, 1f, 1f, 1f, 1f, 1f, 1f], 100, new ModelFilter(ZooId: "a"), Ct));
    }

    // ---- restart ---------------------------------------------------------------------------------

    [StorageFact]
    public async Task NewInstance_sees_everything()
    {
        var first = await SeedTwoZoosAsync();
        await first.DeleteAsync(["a:m4"], Ct);
        await first.UpsertAsync([Point("b:m2", [0f, 0f, 0f, 0f, 0f, 0f, 0f, 1f], Payload("b", "mlp", ["fashion"], 300_000, "align-v2"))], Ct);
        var query = new[] { 0.3f, -0.2f, 0.9f, 0.1f, 0f, 0.5f, -0.7f, 0.2f };
        var before = await first.SearchAsync(query, 10, ModelFilter.None, Ct);

        var restarted = CreateIndex();

        Assert.Equal(5, await restarted.CountAsync(Ct));
        var after = await restarted.SearchAsync(query, 10, ModelFilter.None, Ct);
        Assert.Equal(before.Select(h => h.ModelId), after.Select(h => h.ModelId));
        Assert.Equal(before.Select(h => h.Score), after.Select(h => h.Score));
        Assert.Equal("align-v2", (await restarted.GetAsync("b:m2", Ct))!.Payload.AlignmentVersion);
        Assert.Equal(["a:m1", "b:m1"], (await restarted.SearchAsync(query, 10, new ModelFilter(Tag: "small"), Ct)).Select(h => h.ModelId).Order(StringComparer.Ordinal));
    }

    // ---- concurrency -----------------------------------------------------------------------------

    [StorageFact]
    public async Task ConcurrentUpsertsAndSearches_do_not_corrupt()
    {
        const int writers = 6, pointsPerWriter = 40, dimension = 32;
        var index = CreateIndex();
        var all = new VectorPoint[writers * pointsPerWriter];
        var random = new Random(11);
        for (var i = 0; i < all.Length; i++)
        {
            all[i] = Point($"z{i % writers}:m{i:D3}", RandomVector(random, dimension), Payload($"z{i % writers}", "mlp", ["t"], i));
        }
        using var stop = new CancellationTokenSource();

        var readers = Enumerable.Range(0, 4).Select(r => Task.Run(async () =>
        {
            var readerRandom = new Random(100 + r);
            var searches = 0;
            while (!stop.IsCancellationRequested || searches == 0)
            {
                var hits = await index.SearchAsync(RandomVector(readerRandom, dimension), 5, ModelFilter.None, Ct);
                // Whatever the moment, a result is well formed: ordered, distinct, known ids.
                Assert.True(hits.Count <= 5);
                Assert.Equal(hits.Count, hits.Select(h => h.ModelId).Distinct().Count());
                for (var i = 1; i < hits.Count; i++)
                {
                    Assert.True(hits[i - 1].Score >= hits[i].Score);
                }
                searches++;
                // A search may complete synchronously; pausing now and then (a timer, not Task.Yield, which
                // re-queues locally ahead of the writers' continuations) keeps four tight reader loops
                // from starving the writers of thread-pool threads on a 2-core machine.
                if (searches % 20 == 0)
                {
                    await Task.Delay(1);
                }
            }
            return searches;
        })).ToArray();

        var writerTasks = Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            var mine = all.Where((_, i) => i % writers == w).ToArray();
            for (var i = 0; i < mine.Length; i += 4)
            {
                await index.UpsertAsync(mine.Skip(i).Take(4).ToArray(), Ct);
                // Some churn: delete and re-add one point.
                await index.DeleteAsync([mine[i].ModelId], Ct);
                await index.UpsertAsync([mine[i]], Ct);
            }
        })).ToArray();

        await Task.WhenAll(writerTasks);
        await stop.CancelAsync();
        var searchCounts = await Task.WhenAll(readers);

        Assert.All(searchCounts, c => Assert.True(c > 0));
        Assert.Equal(all.Length, await index.CountAsync(Ct));
        await AssertExactTopAsync(index, all, random, dimension);
        await AssertExactTopAsync(CreateIndex(), all, random, dimension);
    }

    private static async Task AssertExactTopAsync(IVectorIndex index, VectorPoint[] all, Random random, int dimension)
    {
        for (var q = 0; q < 5; q++)
        {
            var query = RandomVector(random, dimension);
            var expected = all.OrderByDescending(p => Cosine(query, p.Vector)).Take(10).Select(p => p.ModelId);
            var hits = await index.SearchAsync(query, 10, ModelFilter.None, Ct);
            Assert.Equal(expected, hits.Select(h => h.ModelId));
        }
    }
}
