using Google.Protobuf;
using Know2Vec.Core.Catalog;
using Know2Vec.Core.Querying;
using Know2Vec.Core.Zoo;
using Onnx;

namespace Know2Vec.Core.Tests.Method;

/// <summary>
/// The indexer end to end on real storage: a real benchmark model copied into a temp zoo root is
/// probed, stored and upserted; every model-owned defect ends as Failed with a reason and leaves
/// nothing in the index; re-running is idempotent.
/// </summary>
[Collection(MethodCollection.Name)]
public sealed class ModelIndexerTests : IDisposable
{
    private readonly MethodFixture _fixture;
    private readonly MethodStore _store;
    private readonly ManifestModel _real;
    private readonly byte[] _realBytes;

    public ModelIndexerTests(MethodFixture fixture)
    {
        _fixture = fixture;
        _store = new MethodStore(fixture);
        var source = fixture.StrongFashionModel(classes: 2);
        _realBytes = File.ReadAllBytes(fixture.PathOf(source));
        var sha = _store.WriteZooFile("models/good.onnx", _realBytes);
        Assert.Equal(source.Sha256, sha);
        _real = source with { Id = "good", File = "models/good.onnx" };
    }

    public void Dispose() => _store.Dispose();

    [Fact]
    public async Task Real_model_is_indexed_with_its_knowledge_and_vector()
    {
        var ids = await _store.RegisterAsync("Indexer zoo", [_real]);
        var id = ids["good"];

        await _store.Indexer.IndexModelAsync(id, CancellationToken.None);

        var record = await _store.Catalog.GetModelAsync(id, CancellationToken.None);
        Assert.Equal(ModelStatus.Indexed, record!.Status);
        Assert.Null(record.FailureReason);

        var knowledge = await _store.Catalog.GetKnowledgeAsync(id, CancellationToken.None);
        Assert.NotNull(knowledge);
        Assert.Equal(_real.Labels.Count, knowledge.Classes);
        Assert.Equal(512, knowledge.Dimension);
        Assert.Equal("v1", knowledge.ProbePoolVersion);
        Assert.All(knowledge.Reached, Assert.True);

        Assert.Equal(1, await _store.Index.CountAsync(CancellationToken.None));
        var point = await _store.Index.GetAsync(id, CancellationToken.None);
        Assert.NotNull(point);
        Assert.Equal("zero-shot-v1", point.Payload.AlignmentVersion);
        Assert.Equal(_store.Alignment.Version, point.Payload.AlignmentVersion);
        Assert.Equal("indexer-zoo", point.Payload.ZooId);
        Assert.Equal(_real.Architecture, point.Payload.Architecture);
        Assert.Equal(_real.Tags, point.Payload.Tags);
        Assert.Equal(_real.Parameters, point.Payload.Parameters);
        // The stored vector is f_M of the stored knowledge.
        var expected = _store.Alignment.EncodeModel(knowledge);
        Assert.Equal(1f, System.Numerics.Tensors.TensorPrimitives.CosineSimilarity(expected, point.Vector), 1e-5f);
    }

    [Fact]
    public async Task Indexing_again_is_idempotent()
    {
        var id = (await _store.RegisterAsync("Indexer zoo", [_real]))["good"];

        await _store.Indexer.IndexModelAsync(id, CancellationToken.None);
        var knowledge = (await _store.Catalog.GetKnowledgeAsync(id, CancellationToken.None))!.ToBytes();
        var vector = (await _store.Index.GetAsync(id, CancellationToken.None))!.Vector;
        await _store.Indexer.IndexModelAsync(id, CancellationToken.None);

        Assert.Equal(1, await _store.Index.CountAsync(CancellationToken.None));
        Assert.Equal(vector, (await _store.Index.GetAsync(id, CancellationToken.None))!.Vector);
        Assert.Equal(knowledge, (await _store.Catalog.GetKnowledgeAsync(id, CancellationToken.None))!.ToBytes());
        Assert.Equal(ModelStatus.Indexed, (await _store.Catalog.GetModelAsync(id, CancellationToken.None))!.Status);
    }

    [Theory]
    [InlineData("wrong-sha", "sha256 mismatch")]
    [InlineData("garbage", "not a loadable ONNX model")]
    [InlineData("extra-label", "2 outputs but the manifest lists 3 labels")]
    [InlineData("rank-5-input", "unusable input")]
    [InlineData("string-input", "unusable input")]
    [InlineData("missing", "not found")]
    [InlineData("escapes", "escapes the zoo root")]
    public async Task Model_with_a_defect_of_its_own_fails_with_a_reason_and_leaves_no_trace(string name, string reason)
    {
        var ids = await _store.RegisterAsync("Indexer zoo", [Defective(name), _real]);

        await _store.Indexer.IndexModelAsync(ids[name], CancellationToken.None);

        var record = await _store.Catalog.GetModelAsync(ids[name], CancellationToken.None);
        Assert.Equal(ModelStatus.Failed, record!.Status);
        Assert.Contains(reason, record.FailureReason);
        Assert.Null(await _store.Catalog.GetKnowledgeAsync(ids[name], CancellationToken.None));
        Assert.Null(await _store.Index.GetAsync(ids[name], CancellationToken.None));
        Assert.Equal(0, await _store.Index.CountAsync(CancellationToken.None));
        Assert.Equal(ModelStatus.Pending, (await _store.Catalog.GetModelAsync(ids["good"], CancellationToken.None))!.Status);
    }

    [Fact]
    public async Task Bad_model_does_not_fail_its_neighbours()
    {
        var ids = await _store.RegisterAsync("Indexer zoo", [Defective("garbage"), Defective("missing"), _real]);

        foreach (var id in ids.Values)
        {
            await _store.Indexer.IndexModelAsync(id, CancellationToken.None);
        }

        Assert.Equal(new ZooStatusCounts(3, 0, 0, 1, 2), await _store.Catalog.GetZooStatusAsync("indexer-zoo", CancellationToken.None));
        Assert.Equal([ids["good"]], await _store.Catalog.ListModelIdsAsync(ModelStatus.Indexed, CancellationToken.None));
        Assert.Equal(1, await _store.Index.CountAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Model_with_a_non_float_output_fails_as_an_unusable_output()
    {
        var tiny = _real with { Id = "int-output", File = "models/int-output.onnx", Labels = ["a", "b"], Input = _real.Input with { Shape = [784], Layout = "flat" } };
        var id = (await _store.RegisterAsync("Indexer zoo", [tiny with { Sha256 = _store.WriteZooFile(tiny.File, IntegerOutputModel().ToByteArray()) }]))["int-output"];

        await _store.Indexer.IndexModelAsync(id, CancellationToken.None);

        var record = await _store.Catalog.GetModelAsync(id, CancellationToken.None);
        Assert.Equal(ModelStatus.Failed, record!.Status);
        Assert.StartsWith("unusable output", record.FailureReason);
    }

    [Fact]
    public async Task Failed_model_can_be_indexed_once_its_file_is_fixed()
    {
        var broken = _real with { Id = "fixed-later", File = "models/later.onnx" };
        var id = (await _store.RegisterAsync("Indexer zoo", [broken]))["fixed-later"];
        await _store.Indexer.IndexModelAsync(id, CancellationToken.None);
        Assert.Equal(ModelStatus.Failed, (await _store.Catalog.GetModelAsync(id, CancellationToken.None))!.Status);

        _store.WriteZooFile("models/later.onnx", _realBytes);
        await _store.Indexer.IndexModelAsync(id, CancellationToken.None);

        var record = await _store.Catalog.GetModelAsync(id, CancellationToken.None);
        Assert.Equal(ModelStatus.Indexed, record!.Status);
        Assert.Null(record.FailureReason);
        Assert.NotNull(await _store.Index.GetAsync(id, CancellationToken.None));
    }

    [Fact]
    public async Task Unknown_model_id_returns_without_a_trace()
    {
        await _store.Indexer.IndexModelAsync("no-such-zoo:no-such-model", CancellationToken.None);

        Assert.Equal(0, await _store.Index.CountAsync(CancellationToken.None));
        Assert.Empty(await _store.Catalog.ListModelIdsAsync(null, CancellationToken.None));
    }

    [Fact]
    public async Task Model_that_fails_on_reindexing_is_no_longer_returned_by_queries()
    {
        var id = (await _store.RegisterAsync("Indexer zoo", [_real]))["good"];
        await _store.Indexer.IndexModelAsync(id, CancellationToken.None);
        var (images, _) = _fixture.FashionTestImages([4, 7], perClass: 2);
        var request = new QueryRequest(images, ["a", "a", "b", "b"], 10, ModelFilter.None);
        Assert.Contains((await _store.Queries.QueryAsync(request, CancellationToken.None)).Hits, h => h.ModelId == id);

        _store.WriteZooFile("models/good.onnx", [.. _realBytes, 0]); // the file changes on disk
        await _store.Indexer.IndexModelAsync(id, CancellationToken.None);

        Assert.Equal(ModelStatus.Failed, (await _store.Catalog.GetModelAsync(id, CancellationToken.None))!.Status);
        Assert.DoesNotContain((await _store.Queries.QueryAsync(request, CancellationToken.None)).Hits, h => h.ModelId == id);
    }

    /// <summary>y = Cast&lt;int64&gt;(x): a float image input that is fine, and an int64 output that is not logits.</summary>
    private static ModelProto IntegerOutputModel()
    {
        var graph = new GraphProto { Name = "int-output" };
        graph.Input.Add(TinyModels.Flat(784));
        graph.Node.Add(new NodeProto
        {
            OpType = "Cast",
            Input = { "x" },
            Output = { "y" },
            Attribute = { new AttributeProto { Name = "to", Type = AttributeProto.Types.AttributeType.Int, I = (long)TensorProto.Types.DataType.Int64 } },
        });
        graph.Output.Add(TinyModels.Tensor("y", TensorProto.Types.DataType.Int64, "N", 784));
        return new ModelProto
        {
            IrVersion = 8,
            ProducerName = "know2vec-tests",
            OpsetImport = { new OperatorSetIdProto { Domain = "", Version = 13 } },
            Graph = graph,
        };
    }

    /// <summary>A manifest entry (and its file, written into the zoo root) with one defect.</summary>
    private ManifestModel Defective(string name)
    {
        var tiny = _real with { Id = name, File = $"models/{name}.onnx", Labels = ["a", "b"], Architecture = "tiny" };
        switch (name)
        {
            case "wrong-sha":
                return _real with { Id = name, Sha256 = MethodStore.Sha256("another file"u8.ToArray()) };
            case "garbage":
                var random = new byte[4096];
                new Random(7).NextBytes(random);
                return tiny with { Sha256 = _store.WriteZooFile(tiny.File, random) };
            case "extra-label":
                return _real with { Id = name, Labels = [.. _real.Labels, "Extra"] };
            case "rank-5-input":
                return tiny with { Sha256 = _store.WriteZooFile(tiny.File, TinyModels.Identity(TinyModels.Image("N", 1, 1, 28, 28)).ToByteArray()) };
            case "string-input":
                return tiny with { Sha256 = _store.WriteZooFile(tiny.File, TinyModels.Identity(TinyModels.Tensor("x", TensorProto.Types.DataType.String, "N", 784)).ToByteArray()) };
            case "missing":
                return tiny with { Sha256 = MethodStore.Sha256([1, 2, 3]) };
            case "escapes":
                // A perfectly good model file, but outside the zoo root.
                File.WriteAllBytes(Path.Combine(_store.Outside, "outside.onnx"), _realBytes);
                return _real with { Id = name, File = "../outside.onnx" };
            default:
                throw new ArgumentOutOfRangeException(nameof(name), name, null);
        }
    }
}
