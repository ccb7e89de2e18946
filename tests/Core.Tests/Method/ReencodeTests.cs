using Know2Vec.Core.Alignment;
using Know2Vec.Core.Indexing;
using Know2Vec.Core.Probing;
using Know2Vec.Evaluation.Benchmark;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Know2Vec.Core.Tests.Method;

/// <summary>
/// Switching alignment re-encodes stored knowledge tensors without re-probing: the model file is
/// deleted before re-encoding, so any probing would fail.
/// </summary>
[Collection(MethodCollection.Name)]
public sealed class ReencodeTests(MethodFixture fixture) : IDisposable
{
    private readonly MethodStore _store = new(fixture);

    public void Dispose() => _store.Dispose();

    [Fact]
    public async Task Switching_to_the_trained_alignment_reencodes_stored_knowledge_without_probing()
    {
        var source = fixture.StrongFashionModel(classes: 2);
        _store.WriteZooFile("models/m.onnx", File.ReadAllBytes(fixture.PathOf(source)));
        var id = (await _store.RegisterAsync("Reencode zoo", [source with { Id = "m", File = "models/m.onnx" }]))["m"];
        await _store.Indexer.IndexModelAsync(id, CancellationToken.None);
        Assert.Equal("zero-shot-v1", (await _store.Index.GetAsync(id, CancellationToken.None))!.Payload.AlignmentVersion);
        File.Delete(Path.Combine(_store.ZooRoot, "models/m.onnx"));

        using var trained = TrainedAlignment.Load(
            Path.Combine(BenchmarkData.FindZooManifestsDirectory(), "alignment", "know2vec-v1"), fixture.Sessions);
        var prober = new ModelProber(fixture.Featurizer, fixture.Pool, Options.Create(new ProbingOptions()));
        IModelIndexer switched = new ModelIndexer(_store.Catalog, _store.Index, fixture.Sessions, prober, trained, NullLogger<ModelIndexer>.Instance);

        Assert.True(await switched.ReencodeAsync(id, CancellationToken.None));
        var point = await _store.Index.GetAsync(id, CancellationToken.None);
        Assert.Equal(trained.Version, point!.Payload.AlignmentVersion);
        var expected = trained.EncodeModel((await _store.Catalog.GetKnowledgeAsync(id, CancellationToken.None))!);
        Assert.Equal(expected.Length, point.Vector.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i], point.Vector[i], 1e-5f);
        }

        // Already current: nothing to do, and an unknown model is not an error.
        Assert.False(await switched.ReencodeAsync(id, CancellationToken.None));
        Assert.False(await switched.ReencodeAsync("reencode-zoo:missing", CancellationToken.None));
    }
}
