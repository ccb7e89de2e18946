using System.Text.Json.Nodes;
using Know2Vec.Core.Catalog;

namespace Know2Vec.Storage.Tests;

/// <summary>
/// The behaviour every <see cref="ICatalog"/> must have. Each implementation subclasses this once
/// (SQLite now, PostgreSQL later) and provides <see cref="CreateCatalog"/>.
/// </summary>
public abstract class CatalogContract
{
    private static readonly DateTimeOffset T0 = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// A new catalog instance over this test's own, initially empty store. Every call within one
    /// test returns a fresh instance over the same data, so a second call is a restart.
    /// </summary>
    protected abstract ICatalog CreateCatalog();

    private static CancellationToken Ct => CancellationToken.None;

    // ---- helpers ------------------------------------------------------------------------------

    protected static ZooRecord Zoo(string id, string? description = "A test zoo") =>
        new(id, $"Zoo {id}", "1.0.0", description, $"/zoos/{id}", T0.AddMinutes(id.Length));

    protected static ModelRecord Model(
        string zooId,
        string name,
        string architecture = "mlp",
        long parameters = 1000,
        string[]? tags = null,
        ModelStatus status = ModelStatus.Pending) => new()
        {
            Id = ModelRecord.MakeId(zooId, name),
            ZooId = zooId,
            Name = name,
            File = $"models/{name}.onnx",
            Sha256 = new string('a', 64),
            Architecture = architecture,
            Parameters = parameters,
            Labels = ["t-shirt", "trouser", "pullover"],
            Tags = tags ?? ["fashion"],
            License = "MIT",
            InputJson = """{"shape":[1,1,28,28],"layout":"NCHW","range":[0,1]}""",
            MetadataJson = """{"trainedOn":"fashion-mnist","accuracy":0.91}""",
            Status = status,
            UpdatedAt = T0,
        };

    private static void AssertSameModel(ModelRecord expected, ModelRecord? actual)
    {
        Assert.NotNull(actual);
        Assert.Equal(expected.Id, actual.Id);
        Assert.Equal(expected.ZooId, actual.ZooId);
        Assert.Equal(expected.Name, actual.Name);
        Assert.Equal(expected.File, actual.File);
        Assert.Equal(expected.Sha256, actual.Sha256);
        Assert.Equal(expected.Architecture, actual.Architecture);
        Assert.Equal(expected.Parameters, actual.Parameters);
        Assert.Equal(expected.Labels, actual.Labels);
        Assert.Equal(expected.Tags, actual.Tags);
        Assert.Equal(expected.License, actual.License);
        // JSON is kept semantically (a jsonb store re-formats it), not byte for byte.
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected.InputJson), JsonNode.Parse(actual.InputJson)), actual.InputJson);
        if (expected.MetadataJson is null)
        {
            Assert.Null(actual.MetadataJson);
        }
        else
        {
            Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected.MetadataJson), JsonNode.Parse(actual.MetadataJson!)), actual.MetadataJson);
        }
        Assert.Equal(expected.Status, actual.Status);
        Assert.Equal(expected.FailureReason, actual.FailureReason);
        Assert.Equal(expected.UpdatedAt, actual.UpdatedAt);
    }

    private static string[] Ids(IEnumerable<ModelRecord> models) => models.Select(m => m.Id).ToArray();

    /// <summary>Zoo "a": 4 models of mixed architectures, sizes and tags; zoo "b": 2 models.</summary>
    private async Task<ICatalog> SeedTwoZoosAsync()
    {
        var catalog = CreateCatalog();
        Assert.True(await catalog.TryAddZooAsync(Zoo("a"),
        [
            Model("a", "m1", "mlp", 1_000, ["fashion", "small"]),
            Model("a", "m2", "cnn", 50_000, ["fashion"]),
            Model("a", "m3", "cnn", 200_000, ["digits", "Small"]),
            Model("a", "m4", "resnet", 2_000_000, []),
        ], Ct));
        Assert.True(await catalog.TryAddZooAsync(Zoo("b"),
        [
            Model("b", "m1", "cnn", 10_000, ["digits", "small"]),
            Model("b", "m2", "mlp", 300_000, ["fashion"]),
        ], Ct));
        return catalog;
    }

    // ---- zoos ----------------------------------------------------------------------------------

    [StorageFact]
    public async Task AddZoo_then_get_returns_every_field()
    {
        var catalog = CreateCatalog();
        var zoo = Zoo("fashion-zoo") with { CreatedAt = new DateTimeOffset(2025, 5, 6, 7, 8, 9, 123, TimeSpan.FromHours(2)) };

        Assert.True(await catalog.TryAddZooAsync(zoo, [], Ct));

        var stored = await catalog.GetZooAsync("fashion-zoo", Ct);
        Assert.NotNull(stored);
        Assert.Equal(zoo.Id, stored.Id);
        Assert.Equal(zoo.Name, stored.Name);
        Assert.Equal(zoo.Version, stored.Version);
        Assert.Equal(zoo.Description, stored.Description);
        Assert.Equal(zoo.RootDirectory, stored.RootDirectory);
        // The instant is kept; the offset it was written with need not be.
        Assert.Equal(zoo.CreatedAt.UtcDateTime, stored.CreatedAt.UtcDateTime);
    }

    [StorageFact]
    public async Task GetZoo_unknown_returns_null()
    {
        var catalog = CreateCatalog();

        Assert.Null(await catalog.GetZooAsync("nope", Ct));
        Assert.Null(await catalog.GetZooStatusAsync("nope", Ct));
        Assert.Null(await catalog.GetModelAsync("nope:m1", Ct));
    }

    [StorageFact]
    public async Task ListZoos_returns_all_ordered_by_id()
    {
        var catalog = CreateCatalog();
        Assert.True(await catalog.TryAddZooAsync(Zoo("zeta", description: null), [], Ct));
        Assert.True(await catalog.TryAddZooAsync(Zoo("alpha"), [], Ct));
        Assert.True(await catalog.TryAddZooAsync(Zoo("mid-1"), [], Ct));

        var zoos = await catalog.ListZoosAsync(Ct);

        Assert.Equal(["alpha", "mid-1", "zeta"], zoos.Select(z => z.Id));
        Assert.Null(zoos[2].Description);
    }

    [StorageFact]
    public async Task AddZoo_stores_every_model_field()
    {
        var catalog = CreateCatalog();
        var withMetadata = Model("z", "with-metadata", tags: ["b", "a"]);
        var withoutMetadata = Model("z", "no-metadata") with { MetadataJson = null, Labels = [] };
        var failed = Model("z", "failed", status: ModelStatus.Failed) with { FailureReason = "bad input shape" };

        Assert.True(await catalog.TryAddZooAsync(Zoo("z"), [withMetadata, withoutMetadata, failed], Ct));

        AssertSameModel(withMetadata, await catalog.GetModelAsync("z:with-metadata", Ct));
        AssertSameModel(withoutMetadata, await catalog.GetModelAsync("z:no-metadata", Ct));
        AssertSameModel(failed, await catalog.GetModelAsync("z:failed", Ct));
    }

    [StorageFact]
    public async Task AddZoo_duplicate_id_is_refused_without_touching_anything()
    {
        var catalog = CreateCatalog();
        Assert.True(await catalog.TryAddZooAsync(Zoo("dup"), [Model("dup", "original")], Ct));

        var second = Zoo("dup") with { Name = "Impostor", Version = "9" };
        Assert.False(await catalog.TryAddZooAsync(second, [Model("dup", "newcomer"), Model("dup", "original", "resnet")], Ct));

        var zoo = await catalog.GetZooAsync("dup", Ct);
        Assert.Equal("Zoo dup", zoo!.Name);
        Assert.Null(await catalog.GetModelAsync("dup:newcomer", Ct));
        Assert.Equal("mlp", (await catalog.GetModelAsync("dup:original", Ct))!.Architecture);
        Assert.Equal(["dup:original"], await catalog.ListModelIdsAsync(null, Ct));
    }

    [StorageFact]
    public async Task AddZoo_concurrent_same_id_exactly_one_wins()
    {
        var catalog = CreateCatalog();

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(() =>
            catalog.TryAddZooAsync(Zoo("race"), [Model("race", $"m{i}"), Model("race", "shared")], Ct))));

        Assert.Single(results, r => r);
        var ids = await catalog.ListModelIdsAsync(null, Ct);
        Assert.Equal(2, ids.Count);
        Assert.Contains("race:shared", ids);
    }

    [StorageFact]
    public async Task AddZoo_invalid_input_throws_and_stores_nothing()
    {
        var catalog = CreateCatalog();

        await Assert.ThrowsAnyAsync<ArgumentException>(() => catalog.TryAddZooAsync(Zoo("Upper"), [], Ct));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => catalog.TryAddZooAsync(Zoo("has:colon"), [], Ct));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => catalog.TryAddZooAsync(Zoo(""), [], Ct));
        // The second model belongs to another zoo: nothing of this zoo may be stored.
        await Assert.ThrowsAnyAsync<ArgumentException>(() =>
            catalog.TryAddZooAsync(Zoo("z"), [Model("z", "ok"), Model("other", "stray")], Ct));
        await Assert.ThrowsAnyAsync<ArgumentException>(() =>
            catalog.TryAddZooAsync(Zoo("z"), [Model("z", "twice"), Model("z", "twice")], Ct));
        await Assert.ThrowsAnyAsync<ArgumentException>(() =>
            catalog.TryAddZooAsync(Zoo("z"), [Model("z", "ok") with { Id = "z:other" }], Ct));
        await Assert.ThrowsAnyAsync<ArgumentException>(() =>
            catalog.TryAddZooAsync(Zoo("z"), [Model("z", "ok") with { InputJson = "{not json" }], Ct));
        await Assert.ThrowsAnyAsync<ArgumentException>(() =>
            catalog.TryAddZooAsync(Zoo("z"), [Model("z", "ok") with { FailureReason = "reason without failure" }], Ct));

        Assert.Empty(await catalog.ListZoosAsync(Ct));
        Assert.Empty(await catalog.ListModelIdsAsync(null, Ct));
    }

    // ---- status ----------------------------------------------------------------------------------

    [StorageFact]
    public async Task ZooStatus_counts_models_per_status()
    {
        var catalog = CreateCatalog();
        Assert.True(await catalog.TryAddZooAsync(Zoo("s"), [.. Enumerable.Range(0, 8).Select(i => Model("s", $"m{i}"))], Ct));
        Assert.True(await catalog.TryAddZooAsync(Zoo("other"), [Model("other", "m0", status: ModelStatus.Indexed)], Ct));
        Assert.True(await catalog.SetModelStatusAsync("s:m0", ModelStatus.Indexing, null, Ct));
        Assert.True(await catalog.SetModelStatusAsync("s:m1", ModelStatus.Indexed, null, Ct));
        Assert.True(await catalog.SetModelStatusAsync("s:m2", ModelStatus.Indexed, null, Ct));
        Assert.True(await catalog.SetModelStatusAsync("s:m3", ModelStatus.Indexed, null, Ct));
        Assert.True(await catalog.SetModelStatusAsync("s:m4", ModelStatus.Failed, "boom", Ct));

        var counts = await catalog.GetZooStatusAsync("s", Ct);

        Assert.Equal(new ZooStatusCounts(Total: 8, Pending: 3, Indexing: 1, Indexed: 3, Failed: 1), counts);
        Assert.Equal(50.0, counts!.Percent);
        Assert.False(counts.IsComplete);
    }

    [StorageFact]
    public async Task ListZoosWithStatus_counts_every_zoo_in_one_read_ordered_by_id()
    {
        var catalog = CreateCatalog();
        Assert.True(await catalog.TryAddZooAsync(Zoo("b"), [Model("b", "m0"), Model("b", "m1", status: ModelStatus.Indexed)], Ct));
        Assert.True(await catalog.TryAddZooAsync(Zoo("a"), [Model("a", "m0", status: ModelStatus.Failed)], Ct));
        Assert.True(await catalog.TryAddZooAsync(Zoo("empty"), [], Ct));

        var zoos = await catalog.ListZoosWithStatusAsync(Ct);

        Assert.Equal(["a", "b", "empty"], zoos.Select(z => z.Zoo.Id));
        Assert.Equal(Zoo("b"), zoos[1].Zoo);
        Assert.Equal(new ZooStatusCounts(Total: 1, Pending: 0, Indexing: 0, Indexed: 0, Failed: 1), zoos[0].Counts);
        Assert.Equal(new ZooStatusCounts(Total: 2, Pending: 1, Indexing: 0, Indexed: 1, Failed: 0), zoos[1].Counts);
        Assert.Equal(new ZooStatusCounts(0, 0, 0, 0, 0), zoos[2].Counts);
    }

    [StorageFact]
    public async Task ZooStatus_empty_zoo_is_complete()
    {
        var catalog = CreateCatalog();
        Assert.True(await catalog.TryAddZooAsync(Zoo("empty"), [], Ct));

        var counts = await catalog.GetZooStatusAsync("empty", Ct);

        Assert.Equal(new ZooStatusCounts(0, 0, 0, 0, 0), counts);
        Assert.Equal(100.0, counts!.Percent);
        Assert.True(counts.IsComplete);
    }

    [StorageFact]
    public async Task SetModelStatus_stores_and_clears_failure_reason()
    {
        var catalog = CreateCatalog();
        Assert.True(await catalog.TryAddZooAsync(Zoo("z"), [Model("z", "m")], Ct));

        Assert.True(await catalog.SetModelStatusAsync("z:m", ModelStatus.Failed, "output has 3 classes, manifest lists 10", Ct));
        var failed = await catalog.GetModelAsync("z:m", Ct);
        Assert.Equal(ModelStatus.Failed, failed!.Status);
        Assert.Equal("output has 3 classes, manifest lists 10", failed.FailureReason);
        Assert.True(failed.UpdatedAt > T0);

        // A re-run after a fix: any transition is allowed and the stale reason goes.
        Assert.True(await catalog.SetModelStatusAsync("z:m", ModelStatus.Indexing, null, Ct));
        Assert.True(await catalog.SetModelStatusAsync("z:m", ModelStatus.Indexed, null, Ct));
        var indexed = await catalog.GetModelAsync("z:m", Ct);
        Assert.Equal(ModelStatus.Indexed, indexed!.Status);
        Assert.Null(indexed.FailureReason);
        Assert.True(indexed.UpdatedAt >= failed.UpdatedAt);

        // Idempotent: setting the same status again is fine.
        Assert.True(await catalog.SetModelStatusAsync("z:m", ModelStatus.Indexed, null, Ct));
        Assert.True(await catalog.SetModelStatusAsync("z:m", ModelStatus.Failed, null, Ct));
        Assert.Null((await catalog.GetModelAsync("z:m", Ct))!.FailureReason);
    }

    [StorageFact]
    public async Task SetModelStatus_unknown_model_or_misplaced_reason()
    {
        var catalog = CreateCatalog();
        Assert.True(await catalog.TryAddZooAsync(Zoo("z"), [Model("z", "m")], Ct));

        Assert.False(await catalog.SetModelStatusAsync("z:ghost", ModelStatus.Indexed, null, Ct));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => catalog.SetModelStatusAsync("z:m", ModelStatus.Indexed, "why?", Ct));
        Assert.Equal(ModelStatus.Pending, (await catalog.GetModelAsync("z:m", Ct))!.Status);
    }

    [StorageFact]
    public async Task ListModelIds_by_status()
    {
        var catalog = CreateCatalog();
        Assert.True(await catalog.TryAddZooAsync(Zoo("z"), [Model("z", "c"), Model("z", "a"), Model("z", "b")], Ct));
        Assert.True(await catalog.TryAddZooAsync(Zoo("y"), [Model("y", "a")], Ct));
        Assert.True(await catalog.SetModelStatusAsync("z:a", ModelStatus.Indexing, null, Ct));
        Assert.True(await catalog.SetModelStatusAsync("z:b", ModelStatus.Indexed, null, Ct));

        Assert.Equal(["y:a", "z:a", "z:b", "z:c"], await catalog.ListModelIdsAsync(null, Ct));
        Assert.Equal(["y:a", "z:c"], await catalog.ListModelIdsAsync(ModelStatus.Pending, Ct));
        Assert.Equal(["z:a"], await catalog.ListModelIdsAsync(ModelStatus.Indexing, Ct));
        Assert.Equal(["z:b"], await catalog.ListModelIdsAsync(ModelStatus.Indexed, Ct));
        Assert.Empty(await catalog.ListModelIdsAsync(ModelStatus.Failed, Ct));
    }

    [StorageFact]
    public async Task StatusUpdates_from_many_threads_all_land()
    {
        var catalog = CreateCatalog();
        Assert.True(await catalog.TryAddZooAsync(Zoo("z"), [.. Enumerable.Range(0, 40).Select(i => Model("z", $"m{i:D2}"))], Ct));

        await Task.WhenAll(Enumerable.Range(0, 40).Select(i => Task.Run(async () =>
        {
            var id = $"z:m{i:D2}";
            Assert.True(await catalog.SetModelStatusAsync(id, ModelStatus.Indexing, null, Ct));
            Assert.True(await catalog.SaveKnowledgeAsync(id, KnowledgeSamples.Random(2, 8, seed: i), Ct));
            Assert.True(await catalog.SetModelStatusAsync(id, i % 4 == 0 ? ModelStatus.Failed : ModelStatus.Indexed, i % 4 == 0 ? $"r{i}" : null, Ct));
        })));

        Assert.Equal(new ZooStatusCounts(40, 0, 0, 30, 10), await catalog.GetZooStatusAsync("z", Ct));
        Assert.Equal("r8", (await catalog.GetModelAsync("z:m08", Ct))!.FailureReason);
    }

    // ---- filters ---------------------------------------------------------------------------------

    [StorageFact]
    public async Task ListModels_no_filter_returns_all_ordered_by_id()
    {
        var catalog = await SeedTwoZoosAsync();

        var models = await catalog.ListModelsAsync(ModelFilter.None, Ct);

        Assert.Equal(["a:m1", "a:m2", "a:m3", "a:m4", "b:m1", "b:m2"], Ids(models));
    }

    [StorageTheory]
    [MemberData(nameof(CatalogContract.FilterCases), MemberType = typeof(CatalogContract))]
    public async Task ListModels_Filters(string name, string expected)
    {
        var catalog = await SeedTwoZoosAsync();

        var models = await catalog.ListModelsAsync(Filters[name], Ct);

        Assert.Equal(expected.Split(',', StringSplitOptions.RemoveEmptyEntries), Ids(models));
    }

    /// <summary>Each filter of <see cref="Filters"/> and the model ids it selects, for both contracts (they must agree).</summary>
    public static TheoryData<string, string> FilterCases => new()
    {
        { "zoo", "a:m1,a:m2,a:m3,a:m4" },
        { "architecture", "a:m2,a:m3,b:m1" },
        { "tag", "a:m1,b:m1" },
        { "tag-case", "a:m3" },
        { "max-parameters", "a:m1,a:m2,b:m1" },
        { "zoo+architecture", "b:m1" },
        { "architecture+tag+max", "a:m1,b:m2" },
        { "all", "a:m2" },
        { "nothing", "" },
    };

    /// <summary>Filters over the data of <see cref="SeedTwoZoosAsync"/>, shared with the vector index contract.</summary>
    internal static readonly IReadOnlyDictionary<string, ModelFilter> Filters = new Dictionary<string, ModelFilter>
    {
        ["zoo"] = new(ZooId: "a"),
        ["architecture"] = new(Architecture: "cnn"),
        ["tag"] = new(Tag: "small"),
        ["tag-case"] = new(Tag: "Small"),
        ["max-parameters"] = new(MaxParameters: 50_000), // inclusive: a:m2 has exactly 50,000
        ["zoo+architecture"] = new(ZooId: "b", Architecture: "cnn"),
        ["architecture+tag+max"] = new(Architecture: "mlp", Tag: "fashion", MaxParameters: 300_000),
        ["all"] = new(ZooId: "a", Architecture: "cnn", Tag: "fashion", MaxParameters: 100_000),
        ["nothing"] = new(ZooId: "b", Architecture: "resnet"),
    };

    // ---- knowledge -------------------------------------------------------------------------------

    [StorageFact]
    public async Task Knowledge_round_trips_bit_exact()
    {
        var catalog = CreateCatalog();
        Assert.True(await catalog.TryAddZooAsync(Zoo("z"), [Model("z", "m")], Ct));
        var tensor = KnowledgeSamples.Random(10, 64, seed: 42);

        Assert.True(await catalog.SaveKnowledgeAsync("z:m", tensor, Ct));

        KnowledgeSamples.AssertBitExact(tensor, (await catalog.GetKnowledgeAsync("z:m", Ct))!);
    }

    [StorageFact]
    public async Task Models_and_knowledge_of_many_ids_come_in_one_read_each_and_unknown_ids_are_left_out()
    {
        var catalog = CreateCatalog();
        Assert.True(await catalog.TryAddZooAsync(Zoo("z"), [Model("z", "m0"), Model("z", "m1"), Model("z", "m2")], Ct));
        var tensor = KnowledgeSamples.Random(3, 8, seed: 5);
        Assert.True(await catalog.SaveKnowledgeAsync("z:m2", tensor, Ct));
        Assert.True(await catalog.SaveKnowledgeAsync("z:m0", KnowledgeSamples.Random(2, 8, seed: 6), Ct));

        var models = await catalog.GetModelsAsync(["z:m2", "z:nope", "z:m0"], Ct);
        var knowledge = await catalog.GetKnowledgeAsync(["z:m2", "z:m1", "z:nope"], Ct);

        Assert.Equal(["z:m0", "z:m2"], models.Select(m => m.Id));
        AssertSameModel((await catalog.GetModelAsync("z:m2", Ct))!, models[1]);
        Assert.Equal(["z:m2"], knowledge.Keys);
        KnowledgeSamples.AssertBitExact(tensor, knowledge["z:m2"]);
        Assert.Empty(await catalog.GetModelsAsync([], Ct));
        Assert.Empty(await catalog.GetKnowledgeAsync([], Ct));
    }

    [StorageFact]
    public async Task Knowledge_save_overwrites()
    {
        var catalog = CreateCatalog();
        Assert.True(await catalog.TryAddZooAsync(Zoo("z"), [Model("z", "m")], Ct));
        var first = KnowledgeSamples.Random(3, 16, seed: 1, version: "pool-v1");
        var second = KnowledgeSamples.Random(4, 8, seed: 2, version: "pool-v2");

        Assert.True(await catalog.SaveKnowledgeAsync("z:m", first, Ct));
        Assert.True(await catalog.SaveKnowledgeAsync("z:m", second, Ct));
        Assert.True(await catalog.SaveKnowledgeAsync("z:m", second, Ct)); // a re-run job

        KnowledgeSamples.AssertBitExact(second, (await catalog.GetKnowledgeAsync("z:m", Ct))!);
    }

    [StorageFact]
    public async Task Knowledge_missing_model_or_tensor()
    {
        var catalog = CreateCatalog();
        Assert.True(await catalog.TryAddZooAsync(Zoo("z"), [Model("z", "m")], Ct));

        Assert.Null(await catalog.GetKnowledgeAsync("z:m", Ct));
        Assert.False(await catalog.SaveKnowledgeAsync("z:ghost", KnowledgeSamples.Random(2, 2, seed: 3), Ct));
        Assert.Null(await catalog.GetKnowledgeAsync("z:ghost", Ct));
    }

    // ---- delete ----------------------------------------------------------------------------------

    [StorageFact]
    public async Task DeleteZoo_cascades_to_models_and_knowledge()
    {
        var catalog = await SeedTwoZoosAsync();
        Assert.True(await catalog.SaveKnowledgeAsync("a:m1", KnowledgeSamples.Random(2, 4, seed: 5), Ct));
        Assert.True(await catalog.SaveKnowledgeAsync("b:m1", KnowledgeSamples.Random(2, 4, seed: 6), Ct));

        Assert.True(await catalog.DeleteZooAsync("a", Ct));
        Assert.False(await catalog.DeleteZooAsync("a", Ct));

        Assert.Null(await catalog.GetZooAsync("a", Ct));
        Assert.Null(await catalog.GetZooStatusAsync("a", Ct));
        Assert.Null(await catalog.GetModelAsync("a:m1", Ct));
        Assert.Null(await catalog.GetKnowledgeAsync("a:m1", Ct));
        Assert.Empty(await catalog.ListModelsAsync(new ModelFilter(ZooId: "a"), Ct));
        Assert.Empty(await catalog.ListModelsAsync(new ModelFilter(Tag: "small", ZooId: "a"), Ct));
        Assert.Equal(["b:m1", "b:m2"], await catalog.ListModelIdsAsync(null, Ct));
        Assert.NotNull(await catalog.GetKnowledgeAsync("b:m1", Ct));

        // The id is free again, and the new zoo starts clean.
        Assert.True(await catalog.TryAddZooAsync(Zoo("a"), [Model("a", "m1")], Ct));
        Assert.Null(await catalog.GetKnowledgeAsync("a:m1", Ct));
        Assert.Equal(["fashion"], (await catalog.GetModelAsync("a:m1", Ct))!.Tags);
        Assert.Equal(["a:m1"], Ids(await catalog.ListModelsAsync(new ModelFilter(ZooId: "a", Tag: "fashion"), Ct)));
    }

    // ---- restart ---------------------------------------------------------------------------------

    [StorageFact]
    public async Task NewInstance_sees_everything()
    {
        var tensor = KnowledgeSamples.Random(5, 32, seed: 9);
        var first = await SeedTwoZoosAsync();
        Assert.True(await first.SetModelStatusAsync("a:m2", ModelStatus.Failed, "timeout", Ct));
        Assert.True(await first.SaveKnowledgeAsync("a:m3", tensor, Ct));

        var restarted = CreateCatalog();

        Assert.Equal(["a", "b"], (await restarted.ListZoosAsync(Ct)).Select(z => z.Id));
        Assert.Equal("timeout", (await restarted.GetModelAsync("a:m2", Ct))!.FailureReason);
        Assert.Equal(new ZooStatusCounts(4, 3, 0, 0, 1), await restarted.GetZooStatusAsync("a", Ct));
        KnowledgeSamples.AssertBitExact(tensor, (await restarted.GetKnowledgeAsync("a:m3", Ct))!);
        Assert.Equal(["a:m1", "b:m1"], Ids(await restarted.ListModelsAsync(new ModelFilter(Tag: "small"), Ct)));
    }
}
