using System.Reflection;
using Know2Vec.Core.Catalog;
using Know2Vec.Core.Inference;
using Know2Vec.Core.Querying;
using Know2Vec.Core.Tests.Method;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Know2Vec.Core.Tests.Querying;

/// <summary>
/// The query path reads the catalog a constant number of times, however many candidates the vector
/// search recalls, and the shipped reranker runs on the hits' own records. One benchmark model is
/// indexed for real; its knowledge and vector then stand for every catalogued copy, so that hundreds
/// of candidates cost no probing.
/// </summary>
[Collection(MethodCollection.Name)]
public sealed class QueryCatalogReadsTests(MethodFixture fixture) : IDisposable
{
    private const string SourceModel = "fashion-1-8-cnn-small-a";

    private readonly MethodStore _store = new(fixture);

    public void Dispose() => _store.Dispose();

    [Theory]
    [InlineData(20)]
    [InlineData(200)]
    public async Task A_query_with_rerank_reads_the_catalog_at_most_three_times_whatever_the_candidate_count(int candidates)
    {
        var ids = await CatalogueCopiesAsync(candidates);
        var catalog = CountingCatalog.Wrap(_store.Catalog);
        using var classifiers = new ClassifierCache(fixture.Sessions);
        using var queries = new QueryService(
            fixture.Featurizer, _store.Alignment, _store.Index, catalog,
            Options.Create(new QueryOptions { Candidates = candidates, MaxTopK = 1000 }),
            new ForwardPassReranker(catalog, new ModelRunner(catalog, classifiers), NullLogger<ForwardPassReranker>.Instance));
        var (images, truth) = fixture.FashionTestImages([1, 8], perClass: 3);
        var request = new QueryRequest(images, truth.Select(c => $"c{c}").ToList(), TopK: candidates, ModelFilter.None, Rerank: 5);

        var cold = await queries.QueryAsync(request, CancellationToken.None);
        var coldReads = CountingCatalog.Calls(catalog);

        // Every candidate was read and scored, and the five best were run by the reranker.
        Assert.Equal(ids.Values.Order(StringComparer.Ordinal), cold.Hits.Select(h => h.ModelId).Order(StringComparer.Ordinal));
        Assert.Equal(5, cold.Hits.Count(h => h.ForwardScore is not null));
        Assert.All(cold.Hits.Take(5), h => Assert.NotNull(h.ForwardScore));
        // Models, knowledge, zoos: one read each.
        Assert.True(coldReads.Values.Sum() <= 3, Describe(coldReads));
        Assert.Equal(1, coldReads.GetValueOrDefault(nameof(ICatalog.GetModelsAsync)));

        // Warm: the class vectors are cached, so no knowledge is read at all.
        CountingCatalog.Reset(catalog);
        await queries.QueryAsync(request, CancellationToken.None);
        var warmReads = CountingCatalog.Calls(catalog);
        Assert.True(warmReads.Values.Sum() <= 2, Describe(warmReads));
        Assert.False(warmReads.ContainsKey(nameof(ICatalog.GetKnowledgeAsync)), Describe(warmReads));
    }

    [Fact]
    public async Task Rerank_keeps_the_place_of_a_model_whose_file_is_gone_and_still_answers()
    {
        // The zoo's files live in the store's own root, so one can be deleted after indexing.
        var source = fixture.Model(SourceModel);
        var bytes = await File.ReadAllBytesAsync(fixture.PathOf(source));
        var kept = source with { Id = "kept", File = "kept.onnx" };
        var gone = source with { Id = "gone", File = "gone.onnx" };
        _store.WriteZooFile(kept.File, bytes);
        _store.WriteZooFile(gone.File, bytes);
        var ids = await _store.RegisterAsync("Rerank zoo", [kept, gone]);
        foreach (var id in ids.Values)
        {
            await _store.Indexer.IndexModelAsync(id, CancellationToken.None);
        }

        File.Delete(Path.Combine(_store.ZooRoot, gone.File));
        using var classifiers = new ClassifierCache(fixture.Sessions);
        using var queries = new QueryService(
            fixture.Featurizer, _store.Alignment, _store.Index, _store.Catalog, Options.Create(new QueryOptions()),
            new ForwardPassReranker(_store.Catalog, new ModelRunner(_store.Catalog, classifiers), NullLogger<ForwardPassReranker>.Instance));
        var (images, truth) = fixture.FashionTestImages([1, 8], perClass: 3);

        var result = await queries.QueryAsync(new QueryRequest(images, truth.Select(c => $"c{c}").ToList(), 2, ModelFilter.None, Rerank: 2), CancellationToken.None);

        Assert.Equal(2, result.Hits.Count);
        Assert.NotNull(result.Hits.Single(h => h.ModelId == ids["kept"]).ForwardScore);
        // Not run, so not scored: it keeps its place behind the model that was.
        Assert.Equal(ids["gone"], result.Hits[1].ModelId);
        Assert.Null(result.Hits[1].ForwardScore);
    }

    /// <summary>
    /// Catalogues <paramref name="count"/> copies of one benchmark model (same file, own ids), indexes
    /// the first for real and gives every other copy its knowledge and vector.
    /// </summary>
    private async Task<Dictionary<string, string>> CatalogueCopiesAsync(int count)
    {
        var source = fixture.Model(SourceModel);
        var copies = Enumerable.Range(0, count).Select(i => source with { Id = $"copy-{i:D3}" }).ToList();
        var ids = await _store.RegisterAsync("Counting zoo", copies, fixture.ZooManifests);
        var first = ids[copies[0].Id];
        await _store.Indexer.IndexModelAsync(first, CancellationToken.None);
        var knowledge = (await _store.Catalog.GetKnowledgeAsync(first, CancellationToken.None))!;
        var point = (await _store.Index.GetAsync(first, CancellationToken.None))!;
        var others = ids.Values.Where(id => id != first).ToList();
        foreach (var id in others)
        {
            Assert.True(await _store.Catalog.SaveKnowledgeAsync(id, knowledge, CancellationToken.None));
            Assert.True(await _store.Catalog.SetModelStatusAsync(id, ModelStatus.Indexed, null, CancellationToken.None));
        }

        await _store.Index.UpsertAsync(others.Select(id => point with { ModelId = id }).ToList(), CancellationToken.None);
        return ids;
    }

    private static string Describe(IReadOnlyDictionary<string, int> calls) =>
        "catalog calls: " + string.Join(", ", calls.Select(c => $"{c.Key} ×{c.Value}"));

    /// <summary>
    /// Test double around the real catalog: forwards every <see cref="ICatalog"/> call to it and counts
    /// the calls by method name.
    /// </summary>
    public class CountingCatalog : DispatchProxy
    {
        private readonly Dictionary<string, int> _calls = new(StringComparer.Ordinal);
        private ICatalog _inner = null!;

        public static ICatalog Wrap(ICatalog inner)
        {
            var proxy = Create<ICatalog, CountingCatalog>();
            ((CountingCatalog)(object)proxy)._inner = inner;
            return proxy;
        }

        public static IReadOnlyDictionary<string, int> Calls(ICatalog proxy)
        {
            var counting = (CountingCatalog)(object)proxy;
            lock (counting._calls)
            {
                return new Dictionary<string, int>(counting._calls, StringComparer.Ordinal);
            }
        }

        public static void Reset(ICatalog proxy)
        {
            var counting = (CountingCatalog)(object)proxy;
            lock (counting._calls)
            {
                counting._calls.Clear();
            }
        }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            ArgumentNullException.ThrowIfNull(targetMethod);
            lock (_calls)
            {
                _calls[targetMethod.Name] = _calls.GetValueOrDefault(targetMethod.Name) + 1;
            }

            try
            {
                return targetMethod.Invoke(_inner, args);
            }
            catch (TargetInvocationException e) when (e.InnerException is not null)
            {
                throw e.InnerException;
            }
        }
    }
}
