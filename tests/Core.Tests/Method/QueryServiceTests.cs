using Know2Vec.Core.Alignment;
using Know2Vec.Core.Catalog;
using Know2Vec.Core.Imaging;
using Know2Vec.Core.Querying;

namespace Know2Vec.Core.Tests.Method;

/// <summary>
/// The query service: request validation, the class-set match that orders candidates, and the
/// whole path on real models of the committed zoo (probed, stored and searched for real).
/// </summary>
[Collection(MethodCollection.Name)]
public sealed class QueryServiceTests(MethodFixture fixture) : IDisposable
{
    private const int MaxTopK = 5;
    private readonly MethodStore _store = new(fixture, new QueryOptions { MaxTopK = MaxTopK });

    public void Dispose() => _store.Dispose();

    [Fact]
    public async Task No_images_is_refused_on_images()
    {
        var e = await Refused(new QueryRequest([], null, 3, ModelFilter.None));
        Assert.Equal("images", e.Field);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(0)]
    public async Task Label_count_other_than_image_count_is_refused_on_labels(int labels)
    {
        var images = TestImages.Shapes().Take(2).ToList();

        var e = await Refused(new QueryRequest(images, Enumerable.Range(0, labels).Select(i => $"l{i}").ToList(), 3, ModelFilter.None));

        Assert.Equal("labels", e.Field);
        Assert.Contains($"{labels} labels for 2 images", e.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("\t")]
    public async Task Empty_label_is_refused_on_labels(string empty)
    {
        var e = await Refused(new QueryRequest(TestImages.Shapes().Take(2).ToList(), ["shoe", empty], 3, ModelFilter.None));
        Assert.Equal("labels", e.Field);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(MaxTopK + 1)]
    public async Task TopK_outside_1_to_MaxTopK_is_refused_on_topK(int topK)
    {
        var e = await Refused(new QueryRequest(TestImages.Shapes().Take(2).ToList(), null, topK, ModelFilter.None));

        Assert.Equal("topK", e.Field);
        Assert.Contains($"from 1 to {MaxTopK}", e.Message);
    }

    [Fact]
    public async Task Valid_query_on_an_empty_index_has_no_hits_and_reports_timings()
    {
        var result = await _store.Queries.QueryAsync(new QueryRequest(TestImages.Shapes().Take(1).ToList(), null, MaxTopK, ModelFilter.None), CancellationToken.None);

        Assert.Empty(result.Hits);
        Assert.True(result.Timings.FeaturizeMs > 0);
    }

    [Fact]
    public void Match_pairs_each_query_class_with_its_nearest_model_class()
    {
        var classes = QueryClasses("shoes", "bags");
        float[][] query = [Unit(0), Unit(1)];
        float[]?[] model = [Unit(1), Unit(2), Unit(0)];

        var hit = ClassSetMatching.Match(classes, query, model, ["Bag", "Coat", "Sneaker"]);

        Assert.Equal(
            [new ClassMatch("shoes", "Sneaker", 1f), new ClassMatch("bags", "Bag", 1f)],
            hit.ClassMatches);
        // Query side: both classes matched (1); model side: two of three classes matched ((1 + 0 + 1) / 3).
        Assert.Equal((1f + (2f / 3)) / 2, hit.Score, 1e-6f);
    }

    [Fact]
    public void Match_scores_a_model_that_covers_every_query_class_above_one_that_covers_some()
    {
        var classes = QueryClasses("a", "b", "c");
        float[][] query = [Unit(0), Unit(1), Unit(2)];

        var covering = ClassSetMatching.Match(classes, query, [Unit(2), Unit(0), Unit(1)], ["C", "A", "B"]);
        var partial = ClassSetMatching.Match(classes, query, [Unit(0), Unit(1), Unit(5)], ["A", "B", "X"]);
        var one = ClassSetMatching.Match(classes, query, [Unit(0), Unit(6)], ["A", "Y"]);

        Assert.Equal(1f, covering.Score, 1e-6f);
        Assert.True(covering.Score > partial.Score, $"{covering.Score} vs {partial.Score}");
        Assert.True(partial.Score > one.Score, $"{partial.Score} vs {one.Score}");
        Assert.Equal(["A", "B", "C"], covering.ClassMatches.Select(m => m.ModelClass));
    }

    [Fact]
    public void Match_charges_a_model_for_classes_the_query_does_not_have()
    {
        var classes = QueryClasses("a", "b");
        float[][] query = [Unit(0), Unit(1)];

        var exact = ClassSetMatching.Match(classes, query, [Unit(0), Unit(1)], ["A", "B"]);
        var wider = ClassSetMatching.Match(classes, query, [Unit(0), Unit(1), Unit(2), Unit(3)], ["A", "B", "C", "D"]);

        Assert.True(exact.Score > wider.Score);
        Assert.Equal(exact.ClassMatches.Select(m => m.ModelClass), wider.ClassMatches.Select(m => m.ModelClass));
    }

    [Fact]
    public void Match_ignores_unreached_model_classes()
    {
        var classes = QueryClasses("a", "b");
        float[][] query = [Unit(0), Unit(1)];

        var hit = ClassSetMatching.Match(classes, query, [null, Unit(1), null, Unit(0)], ["X", "B", "Y", "A"]);

        Assert.Equal(1f, hit.Score, 1e-6f);
        Assert.Equal(["A", "B"], hit.ClassMatches.Select(m => m.ModelClass));
    }

    [Fact]
    public async Task Labelled_query_ranks_the_model_of_its_own_classes_first_and_explains_the_match()
    {
        var ids = await IndexAsync("fashion-1-8-cnn-small-a", "fashion-4-7-mlp-small-a", "fashion-6-9-cnn-small-a");
        var (images, truth) = fixture.FashionTestImages([1, 8], perClass: 3); // Trouser, Bag
        // Label text is arbitrary: it only groups samples.
        var labels = truth.Select(c => c == 1 ? "left" : "right").ToList();

        var result = await _store.Queries.QueryAsync(new QueryRequest(images, labels, 3, ModelFilter.None), CancellationToken.None);

        Assert.Equal(3, result.Hits.Count);
        Assert.Equal(ids["fashion-1-8-cnn-small-a"], result.Hits[0].ModelId);
        Assert.Equal(result.Hits.OrderByDescending(h => h.Score).Select(h => h.ModelId), result.Hits.Select(h => h.ModelId));
        Assert.Equal(
            [("left", "Trouser"), ("right", "Bag")],
            result.Hits[0].ClassMatches.Select(m => (m.QueryClass, m.ModelClass)));
        Assert.All(result.Hits, h => Assert.InRange(h.Score, -1f, 1.0001f));

        // topK and filters are honoured.
        var top1 = await _store.Queries.QueryAsync(new QueryRequest(images, labels, 1, ModelFilter.None), CancellationToken.None);
        Assert.Equal(result.Hits[0].ModelId, Assert.Single(top1.Hits).ModelId);
        var mlp = await _store.Queries.QueryAsync(new QueryRequest(images, labels, 3, new ModelFilter(Architecture: "mlp-small")), CancellationToken.None);
        Assert.Equal(ids["fashion-4-7-mlp-small-a"], Assert.Single(mlp.Hits).ModelId);
    }

    [Fact]
    public async Task Renaming_or_reordering_labels_does_not_change_scores()
    {
        await IndexAsync("fashion-1-8-cnn-small-a", "fashion-4-7-mlp-small-a");
        var (images, truth) = fixture.FashionTestImages([4, 7], perClass: 2);
        var labels = truth.Select(c => c == 4 ? "x" : "y").ToList();

        var first = await _store.Queries.QueryAsync(new QueryRequest(images, labels, 2, ModelFilter.None), CancellationToken.None);
        var reversedImages = images.AsEnumerable().Reverse().ToList();
        var renamed = labels.AsEnumerable().Reverse().Select(l => l == "x" ? "Sneaker" : "Coat").ToList(); // misleading names on purpose
        var second = await _store.Queries.QueryAsync(new QueryRequest(reversedImages, renamed, 2, ModelFilter.None), CancellationToken.None);

        Assert.Equal(first.Hits.Select(h => h.ModelId), second.Hits.Select(h => h.ModelId));
        Assert.All(first.Hits.Zip(second.Hits), p => Assert.Equal(p.First.Score, p.Second.Score, 1e-5f));
    }

    [Fact]
    public async Task Unlabelled_query_is_grouped_into_pseudo_classes_and_still_finds_its_model()
    {
        var ids = await IndexAsync("fashion-1-8-cnn-small-a", "fashion-4-7-mlp-small-a", "fashion-6-9-cnn-small-a");
        var (images, _) = fixture.FashionTestImages([1, 8], perClass: 4);

        var result = await _store.Queries.QueryAsync(new QueryRequest(images, null, 3, ModelFilter.None), CancellationToken.None);

        Assert.Equal(ids["fashion-1-8-cnn-small-a"], result.Hits[0].ModelId);
        Assert.All(result.Hits[0].ClassMatches, m => Assert.StartsWith("cluster-", m.QueryClass));
        Assert.Contains(result.Hits[0].ClassMatches, m => m.ModelClass == "Trouser");
    }

    private async Task<Dictionary<string, string>> IndexAsync(params string[] models)
    {
        // The committed zoo is the root: indexing only reads the files.
        var ids = await _store.RegisterAsync("Query zoo", models.Select(fixture.Model).ToList(), fixture.ZooManifests);
        foreach (var id in ids.Values)
        {
            await _store.Indexer.IndexModelAsync(id, CancellationToken.None);
            Assert.Equal(ModelStatus.Indexed, (await _store.Catalog.GetModelAsync(id, CancellationToken.None))!.Status);
        }

        return ids;
    }

    private async Task<InvalidQueryException> Refused(QueryRequest request) =>
        await Assert.ThrowsAsync<InvalidQueryException>(() => _store.Queries.QueryAsync(request, CancellationToken.None));

    private static List<QueryClass> QueryClasses(params string[] names) =>
        names.Select(n => new QueryClass(n, [Unit(0)])).ToList();

    private static float[] Unit(int axis)
    {
        var v = new float[8];
        v[axis] = 1;
        return v;
    }
}
