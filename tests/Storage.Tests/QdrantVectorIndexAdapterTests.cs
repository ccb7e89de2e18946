using Grpc.Core;
using Know2Vec.Core.Catalog;
using Know2Vec.Core.Vectors;
using Qdrant.Client;
using Qdrant.Client.Grpc;

namespace Know2Vec.Storage.Tests;

/// <summary>
/// What <see cref="QdrantVectorIndex"/> asks of Qdrant, checked on the requests the real
/// <see cref="QdrantClient"/> sends through <see cref="QdrantCallInvokerTestDouble"/>: collection
/// config, payload indexes before the first point, point ids, batches, the Query API with mapped
/// filters, tie handling and the alias swap of a rebuild.
/// </summary>
public sealed class QdrantVectorIndexAdapterTests
{
    private const string Alias = "models";
    private static readonly CancellationToken Ct = CancellationToken.None;

    private static (QdrantVectorIndex Index, QdrantCallInvokerTestDouble Transport) Create(int batchSize = 256)
    {
        var transport = new QdrantCallInvokerTestDouble();
        var client = new QdrantClient(new QdrantGrpcClient(transport));
        return (new QdrantVectorIndex(client, new QdrantVectorIndexOptions { Collection = Alias, UpsertBatchSize = batchSize }), transport);
    }

    private static VectorPoint Point(string id, float[] vector, string zoo = "z", string architecture = "cnn", string[]? tags = null, long parameters = 1000) =>
        new(id, vector, new VectorPayload(zoo, architecture, tags ?? ["fashion", "small"], parameters, "align-v1"));

    [Fact]
    public void PointIds_are_RFC_4122_version_5_UUIDs()
    {
        // Python: uuid.uuid5(uuid.NAMESPACE_DNS, "python.org")
        Assert.Equal(new Guid("886313e1-3b8a-5372-9b90-0c9aee199e5d"), QdrantPointIds.Create(new Guid("6ba7b810-9dad-11d1-80b4-00c04fd430c8"), "python.org"));
        // Deterministic, version 5, and distinct per model.
        var id = QdrantPointIds.ForModel("demo:fashion-0-1-mlp");
        Assert.Equal(id, QdrantPointIds.ForModel("demo:fashion-0-1-mlp"));
        Assert.Equal('5', id.ToString()[14]);
        Assert.NotEqual(id, QdrantPointIds.ForModel("demo:fashion-0-1-cnn"));
    }

    [Fact]
    public async Task FirstUpsert_creates_cosine_collection_then_every_payload_index_then_alias_before_any_point()
    {
        var (index, transport) = Create();
        var created = false;
        transport.On("/qdrant.Collections/Get", _ => created
            ? QdrantCallInvokerTestDouble.CollectionInfo(4)
            : throw new RpcException(new Status(StatusCode.NotFound, "Collection `models` doesn't exist!")));
        transport.On("/qdrant.Collections/UpdateAliases", _ =>
        {
            created = true;
            return new CollectionOperationResponse { Result = true };
        });

        await index.UpsertAsync([Point("z:m", [3f, 0f, 4f, 0f])], Ct);

        var create = Assert.Single(transport.Requests<CreateCollection>());
        Assert.Equal("models-1", create.CollectionName);
        Assert.Equal(4UL, create.VectorsConfig.Params.Size);
        Assert.Equal(Distance.Cosine, create.VectorsConfig.Params.Distance);

        var indexes = transport.Requests<CreateFieldIndexCollection>();
        Assert.All(indexes, i => Assert.Equal("models-1", i.CollectionName));
        Assert.Equal(
            [("zoo_id", FieldType.Keyword), ("architecture", FieldType.Keyword), ("tags", FieldType.Keyword), ("parameters", FieldType.Integer), ("alignment_version", FieldType.Keyword)],
            indexes.Select(i => (i.FieldName, i.FieldType)));

        var alias = Assert.Single(transport.Requests<ChangeAliases>()).Actions.Single().CreateAlias;
        Assert.Equal(("models-1", "models"), (alias.CollectionName, alias.AliasName));

        // Order on the wire: collection, indexes, alias, and only then the points (through the alias).
        var methods = transport.Calls.Select(c => c.Method).ToList();
        Assert.True(methods.LastIndexOf("/qdrant.Points/CreateFieldIndex") < methods.IndexOf("/qdrant.Collections/UpdateAliases"));
        Assert.True(methods.IndexOf("/qdrant.Collections/UpdateAliases") < methods.IndexOf("/qdrant.Points/Upsert"));
        var upsert = Assert.Single(transport.Requests<UpsertPoints>());
        Assert.Equal("models", upsert.CollectionName);
        Assert.True(upsert.Wait);
    }

    [Fact]
    public async Task Upsert_sends_deterministic_ids_normalised_vectors_and_the_filter_payload()
    {
        var (index, transport) = Create();
        transport.CollectionExists(2);

        await index.UpsertAsync([Point("z:m", [3f, 4f], tags: ["b", "a"], parameters: 123_456)], Ct);

        var point = Assert.Single(Assert.Single(transport.Requests<UpsertPoints>()).Points);
        Assert.Equal(QdrantPointIds.ForModel("z:m").ToString(), point.Id.Uuid);
#pragma warning disable CS0612, CS0618 // the client still writes the flat data field
        var sent = point.Vectors.Vector.Dense?.Data.Count > 0 ? point.Vectors.Vector.Dense.Data : point.Vectors.Vector.Data;
#pragma warning restore CS0612, CS0618
        Assert.Equal([0.6f, 0.8f], sent.ToArray(), (x, y) => Math.Abs(x - y) < 1e-6);
        Assert.Equal("z:m", point.Payload["model_id"].StringValue);
        Assert.Equal("z", point.Payload["zoo_id"].StringValue);
        Assert.Equal("cnn", point.Payload["architecture"].StringValue);
        Assert.Equal(["b", "a"], point.Payload["tags"].ListValue.Values.Select(v => v.StringValue));
        Assert.Equal(123_456, point.Payload["parameters"].IntegerValue);
        Assert.Equal("align-v1", point.Payload["alignment_version"].StringValue);
        Assert.Empty(transport.Requests<CreateCollection>());
    }

    [Fact]
    public async Task Upsert_goes_in_batches_and_a_later_duplicate_wins()
    {
        var (index, transport) = Create(batchSize: 2);
        transport.CollectionExists(2);

        await index.UpsertAsync([Point("z:a", [1f, 0f]), Point("z:b", [1f, 0f]), Point("z:c", [1f, 0f]), Point("z:a", [0f, 1f]), Point("z:d", [1f, 1f])], Ct);

        var batches = transport.Requests<UpsertPoints>();
        Assert.Equal([2, 2], batches.Select(b => b.Points.Count));
        Assert.Equal(4, batches.SelectMany(b => b.Points).Select(p => p.Id.Uuid).Distinct().Count());
    }

    [Fact]
    public async Task Upsert_of_another_dimension_is_refused_before_anything_is_sent()
    {
        var (index, transport) = Create();
        transport.CollectionExists(3);

        var error = await Assert.ThrowsAsync<ArgumentException>(() => index.UpsertAsync([Point("z:a", [1f, 0f])], Ct));

        Assert.Contains("dimension", error.Message);
        Assert.Empty(transport.Requests<UpsertPoints>());
    }

    [Fact]
    public async Task Search_uses_the_query_api_with_the_same_filter_as_the_catalog()
    {
        var (index, transport) = Create();
        transport.CollectionExists(2);
        transport.On("/qdrant.Points/Query", _ => new QueryResponse
        {
            Result = { Scored("z:m1", 0.9f), Scored("z:m2", 0.5f) },
        });

        var hits = await index.SearchAsync([2f, 0f], 5, new ModelFilter(ZooId: "a", Architecture: "cnn", Tag: "Small", MaxParameters: 50_000), Ct);

        Assert.Equal(["z:m1", "z:m2"], hits.Select(h => h.ModelId));
        Assert.Equal(0.9f, hits[0].Score);
        Assert.Equal("cnn", hits[0].Payload.Architecture);
        Assert.Empty(transport.Requests<SearchPoints>()); // Search is obsolete in the client: the Query API only
        var query = Assert.Single(transport.Requests<QueryPoints>());
        Assert.Equal("models", query.CollectionName);
        Assert.Equal(6UL, query.Limit); // one extra to detect ties across the top-k boundary
        Assert.True(query.WithPayload.Enable);
        Assert.Equal([1f, 0f], query.Query.Nearest.Dense.Data.ToArray()); // normalised client-side

        var must = query.Filter.Must;
        Assert.Equal(4, must.Count);
        Assert.Equal(("zoo_id", "a"), (must[0].Field.Key, must[0].Field.Match.Keyword));
        Assert.Equal(("architecture", "cnn"), (must[1].Field.Key, must[1].Field.Match.Keyword));
        Assert.Equal(("tags", "Small"), (must[2].Field.Key, must[2].Field.Match.Keyword)); // exact, case-sensitive
        Assert.Equal("parameters", must[3].Field.Key);
        Assert.Equal(50_000d, must[3].Field.Range.Lte); // inclusive
        Assert.False(must[3].Field.Range.HasLt);
    }

    [Fact]
    public async Task Search_no_filter_sends_no_filter()
    {
        var (index, transport) = Create();
        transport.CollectionExists(2);

        Assert.Empty(await index.SearchAsync([1f, 0f], 3, ModelFilter.None, Ct));

        Assert.Null(Assert.Single(transport.Requests<QueryPoints>()).Filter);
    }

    [Fact]
    public async Task Search_tie_across_the_boundary_asks_for_more_and_orders_ties_by_id()
    {
        var (index, transport) = Create();
        transport.CollectionExists(2);
        transport.On("/qdrant.Points/Query", request => ((QueryPoints)request).Limit switch
        {
            // Qdrant's order among equal scores is arbitrary: here z:c comes before z:a and z:b.
            3 => new QueryResponse { Result = { Scored("z:top", 1f), Scored("z:c", 0.5f), Scored("z:b", 0.5f) } },
            _ => new QueryResponse { Result = { Scored("z:top", 1f), Scored("z:c", 0.5f), Scored("z:b", 0.5f), Scored("z:a", 0.5f), Scored("z:low", 0.1f) } },
        });

        var hits = await index.SearchAsync([1f, 0f], 2, ModelFilter.None, Ct);

        Assert.Equal(["z:top", "z:a"], hits.Select(h => h.ModelId));
        Assert.Equal([3UL, 6UL], transport.Requests<QueryPoints>().Select(q => q.Limit));
    }

    [Fact]
    public async Task MissingCollection_is_an_empty_index()
    {
        var (index, transport) = Create();
        transport.CollectionMissing();

        Assert.Empty(await index.SearchAsync([1f, 0f], 3, ModelFilter.None, Ct));
        Assert.Equal(0, await index.CountAsync(Ct));
        Assert.Null(await index.GetAsync("z:m", Ct));
        await index.DeleteAsync(["z:m"], Ct);
        await index.DeleteZooAsync("z", Ct);

        Assert.All(transport.Calls, c => Assert.Equal("/qdrant.Collections/Get", c.Method));
    }

    [Fact]
    public async Task DeleteAndCount_address_points_by_id_and_zoo_by_filter()
    {
        var (index, transport) = Create();
        transport.CollectionExists(2);
        transport.On("/qdrant.Points/Count", _ => new CountResponse { Result = new CountResult { Count = 7 } });

        await index.DeleteAsync(["z:a", "z:b", "z:a"], Ct);
        await index.DeleteZooAsync("z", Ct);
        Assert.Equal(7, await index.CountAsync(Ct));

        var deletes = transport.Requests<DeletePoints>();
        Assert.Equal(2, deletes.Count);
        Assert.Equal(
            new[] { QdrantPointIds.ForModel("z:a"), QdrantPointIds.ForModel("z:b") }.Select(g => g.ToString()),
            deletes[0].Points.Points.Ids.Select(i => i.Uuid));
        var zoo = Assert.Single(deletes[1].Points.Filter.Must);
        Assert.Equal(("zoo_id", "z"), (zoo.Field.Key, zoo.Field.Match.Keyword));
        Assert.True(Assert.Single(transport.Requests<CountPoints>()).Exact);
    }

    [Fact]
    public async Task Rebuild_fills_the_next_generation_then_swaps_the_alias_atomically_and_drops_the_old()
    {
        var (index, transport) = Create();
        transport.CollectionExists(2);
        transport.On("/qdrant.Collections/ListAliases", _ => new ListAliasesResponse
        {
            Aliases = { new AliasDescription { AliasName = "models", CollectionName = "models-3" }, new AliasDescription { AliasName = "other", CollectionName = "x-9" } },
        });
        transport.On("/qdrant.Collections/CollectionExists", _ => new CollectionExistsResponse { Result = new CollectionExists { Exists = false } });

        await using (var rebuild = await index.BeginRebuildAsync(3, Ct))
        {
            Assert.Equal("models-4", rebuild.Collection);
            await rebuild.Index.UpsertAsync([Point("z:m", [1f, 2f, 3f])], Ct);
            // Searches still go through the alias (the old generation) while the rebuild runs.
            await index.SearchAsync([1f, 0f], 1, ModelFilter.None, Ct);
            await rebuild.CompleteAsync(Ct);
        }

        var create = Assert.Single(transport.Requests<CreateCollection>());
        Assert.Equal(("models-4", 3UL), (create.CollectionName, create.VectorsConfig.Params.Size));
        Assert.Equal(5, transport.Requests<CreateFieldIndexCollection>().Count(i => i.CollectionName == "models-4"));
        Assert.Equal("models-4", Assert.Single(transport.Requests<UpsertPoints>()).CollectionName);
        Assert.Equal("models", Assert.Single(transport.Requests<QueryPoints>()).CollectionName);

        // One UpdateAliases request: delete and re-create in one atomic step, so no search sees no alias.
        var swap = Assert.Single(transport.Requests<ChangeAliases>());
        Assert.Equal(2, swap.Actions.Count);
        Assert.Equal("models", swap.Actions[0].DeleteAlias.AliasName);
        Assert.Equal(("models-4", "models"), (swap.Actions[1].CreateAlias.CollectionName, swap.Actions[1].CreateAlias.AliasName));
        Assert.Equal("models-3", Assert.Single(transport.Requests<DeleteCollection>()).CollectionName);
    }

    [Fact]
    public async Task AbandonedRebuild_drops_its_collection_and_keeps_the_alias()
    {
        var (index, transport) = Create();
        transport.On("/qdrant.Collections/ListAliases", _ => new ListAliasesResponse
        {
            Aliases = { new AliasDescription { AliasName = "models", CollectionName = "models-1" } },
        });
        transport.On("/qdrant.Collections/CollectionExists", _ => new CollectionExistsResponse { Result = new CollectionExists { Exists = false } });

        await using (await index.BeginRebuildAsync(3, Ct))
        {
        }

        Assert.Equal("models-2", Assert.Single(transport.Requests<DeleteCollection>()).CollectionName);
        Assert.Empty(transport.Requests<ChangeAliases>());
    }

    [Fact]
    public async Task Get_reads_vector_and_payload_by_point_id()
    {
        var (index, transport) = Create();
        transport.CollectionExists(2);
        transport.On("/qdrant.Points/Get", _ => new GetResponse
        {
            Result =
            {
                new RetrievedPoint
                {
                    Id = QdrantPointIds.ForModel("z:m"),
                    Payload = { ["model_id"] = "z:m", ["zoo_id"] = "z", ["architecture"] = "mlp", ["tags"] = new[] { "t" }, ["parameters"] = 5L, ["alignment_version"] = "v2" },
                    Vectors = new VectorsOutput { Vector = new VectorOutput { Dense = new DenseVector { Data = { 0.6f, 0.8f } } } },
                },
            },
        });

        var point = await index.GetAsync("z:m", Ct);

        Assert.NotNull(point);
        Assert.Equal([0.6f, 0.8f], point.Vector);
        Assert.Equal(new VectorPayload("z", "mlp", point.Payload.Tags, 5, "v2"), point.Payload);
        Assert.Equal(["t"], point.Payload.Tags);
        var get = Assert.Single(transport.Requests<GetPoints>());
        Assert.Equal(QdrantPointIds.ForModel("z:m").ToString(), Assert.Single(get.Ids).Uuid);
    }

    [Theory]
    [InlineData(null, "models-1")]
    [InlineData("models-1", "models-2")]
    [InlineData("models-41", "models-42")]
    [InlineData("legacy", "models-1")]
    public void NextGeneration(string? current, string expected) =>
        Assert.Equal(expected, QdrantVectorIndex.NextGeneration("models", current));

    private static ScoredPoint Scored(string modelId, float score) => new()
    {
        Id = QdrantPointIds.ForModel(modelId),
        Score = score,
        Payload = { ["model_id"] = modelId, ["zoo_id"] = "z", ["architecture"] = "cnn", ["tags"] = new[] { "x" }, ["parameters"] = 1L, ["alignment_version"] = "v" },
    };
}
