using System.Text.Json;
using Know2Vec.Core.Catalog;
using Know2Vec.Core.Zoo;
using Know2Vec.Storage.Sqlite;

namespace Know2Vec.Api.Tests;

public sealed class ZooRegistryTests
{
    [Theory]
    [InlineData("demo", "demo")]
    [InlineData("Fashion MNIST Zoo (v2)", "fashion-mnist-zoo-v2")]
    [InlineData("  --Café Ünïcode__zoo--  ", "cafe-unicode-zoo")]
    [InlineData("a/../b", "a-b")]
    [InlineData("***", "")]
    [InlineData("日本語", "")]
    public void Slugify_makes_url_safe_ids(string name, string expected)
    {
        var slug = ZooRegistry.Slugify(name);

        Assert.Equal(expected, slug);
        Assert.True(slug.Length == 0 || ZooRecord.IsValidId(slug));
    }

    [Fact]
    public void Slugs_are_at_most_64_characters_and_never_end_in_a_dash()
    {
        var slug = ZooRegistry.Slugify(new string('a', 63) + " b c d");

        Assert.Equal(new string('a', 63), slug);
        Assert.True(ZooRecord.IsValidId(ZooRegistry.Slugify(new string('x', 200))));
    }

    [Fact]
    public async Task Register_stores_pending_models_with_input_and_metadata()
    {
        using var dir = new TestDirectory();
        TestData.WriteFile(dir.ZooRoot, "m.onnx");
        using var catalog = new SqliteCatalog(Path.Combine(dir.DataDirectory, "catalog.db"));
        var registry = new ZooRegistry(catalog);
        var model = TestData.Model("m", "m.onnx", labels: ["x", "y", "z"]);
        model["accuracy"] = 0.5;
        model["trainedOn"] = new System.Text.Json.Nodes.JsonObject { ["dataset"] = "toy" };

        var registration = await registry.RegisterAsync(TestData.Manifest("Toy Zoo", model), dir.ZooRoot, CancellationToken.None);

        Assert.Equal("toy-zoo", registration.Zoo.Id);
        Assert.Equal(Path.GetFullPath(dir.ZooRoot), registration.Zoo.RootDirectory);
        var stored = (await catalog.GetModelAsync("toy-zoo:m", CancellationToken.None))!;
        Assert.Equal(ModelStatus.Pending, stored.Status);
        Assert.Equal(["x", "y", "z"], stored.Labels);
        using var input = JsonDocument.Parse(stored.InputJson);
        Assert.Equal(3, input.RootElement.GetProperty("shape").GetArrayLength());
        using var metadata = JsonDocument.Parse(stored.MetadataJson!);
        Assert.Equal(0.5, metadata.RootElement.GetProperty("accuracy").GetDouble());
        Assert.Equal("toy", metadata.RootElement.GetProperty("trainedOn").GetProperty("dataset").GetString());

        var again = await Assert.ThrowsAsync<ZooAlreadyExistsException>(() => registry.RegisterAsync(TestData.Manifest("toy zoo", model), dir.ZooRoot, CancellationToken.None));
        Assert.Equal("toy-zoo", again.ZooId);
    }
}
