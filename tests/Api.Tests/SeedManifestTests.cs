using System.Net;
using System.Text.Json;

namespace Know2Vec.Api.Tests;

/// <summary>
/// Seed manifests (Know2Vec:SeedManifests) register their zoo once per data directory: a restart does
/// not duplicate it, and a seed zoo deleted through the API stays deleted across restarts while it
/// can still be registered again by hand.
/// </summary>
public sealed class SeedManifestTests
{
    private static readonly Dictionary<string, string?> Seeded = new()
    {
        ["Know2Vec:SeedManifests:0"] = "seed/zoo.json",
        ["Know2Vec:Jobs:RunServer"] = "false", // nothing here is about indexing
    };

    private static string WriteSeed(TestDirectory dir)
    {
        var root = Path.Combine(dir.Path, "seed");
        TestData.WriteFile(root, "a.onnx");
        var manifest = TestData.Manifest("Seeded Zoo", TestData.Model("m", "a.onnx"));
        File.WriteAllText(Path.Combine(root, "zoo.json"), manifest);
        return manifest;
    }

    [Fact]
    public async Task A_deleted_seed_zoo_stays_deleted_after_restarts_and_can_still_be_registered_by_hand()
    {
        using var dir = new TestDirectory();
        var manifest = WriteSeed(dir);

        await using (var first = new Know2VecApp(dir, Seeded))
        {
            using var client = first.CreateWriter();
            await TestData.ReadJsonAsync(await client.GetAsync("/zoos/seeded-zoo"), HttpStatusCode.OK);
            Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync("/zoos/seeded-zoo")).StatusCode);
        }

        await using (var second = new Know2VecApp(dir, Seeded))
        {
            using var client = second.CreateWriter();
            await TestData.AssertProblemAsync(await client.GetAsync("/zoos/seeded-zoo"), HttpStatusCode.NotFound);
            Assert.Empty((await TestData.ReadJsonAsync(await client.GetAsync("/zoos"), HttpStatusCode.OK)).EnumerateArray());

            // The memory only holds back seeding: the same manifest registered by hand is accepted
            // (its model file resolves under the zoo root).
            TestData.WriteFile(dir.ZooRoot, "a.onnx");
            Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsync("/zoos", TestData.Json(manifest))).StatusCode);
        }

        await using (var third = new Know2VecApp(dir, Seeded))
        {
            using var client = third.CreateClient();
            var zoos = (await TestData.ReadJsonAsync(await client.GetAsync("/zoos"), HttpStatusCode.OK)).EnumerateArray().ToArray();
            var zoo = Assert.Single(zoos);
            Assert.Equal("seeded-zoo", zoo.GetProperty("id").GetString());
        }
    }

    [Fact]
    public async Task A_seed_zoo_registered_before_seeds_were_remembered_is_remembered_and_not_duplicated()
    {
        using var dir = new TestDirectory();
        WriteSeed(dir);
        var record = Path.Combine(dir.DataDirectory, "seeded-zoos.json");

        await using (var first = new Know2VecApp(dir, Seeded))
        {
            using var client = first.CreateClient();
            await TestData.ReadJsonAsync(await client.GetAsync("/zoos/seeded-zoo"), HttpStatusCode.OK);
        }
        using (var seeded = JsonDocument.Parse(File.ReadAllText(record)))
        {
            Assert.EndsWith("zoo.json", seeded.RootElement.GetProperty("seeded-zoo").GetString(), StringComparison.Ordinal);
        }

        // A data directory from before: the zoo is catalogued, nothing says it was seeded.
        File.Delete(record);
        await using (var second = new Know2VecApp(dir, Seeded))
        {
            using var client = second.CreateWriter();
            Assert.Single((await TestData.ReadJsonAsync(await client.GetAsync("/zoos"), HttpStatusCode.OK)).EnumerateArray());
            Assert.True(File.Exists(record));
            Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync("/zoos/seeded-zoo")).StatusCode);
        }

        await using var third = new Know2VecApp(dir, Seeded);
        await TestData.AssertProblemAsync(await third.CreateClient().GetAsync("/zoos/seeded-zoo"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task An_unreadable_seed_record_seeds_nothing_and_says_so()
    {
        using var dir = new TestDirectory();
        WriteSeed(dir);
        File.WriteAllText(Path.Combine(dir.DataDirectory, "seeded-zoos.json"), "{ not json");

        await using var app = new Know2VecApp(dir, Seeded);
        using var client = app.CreateClient();

        Assert.Empty((await TestData.ReadJsonAsync(await client.GetAsync("/zoos"), HttpStatusCode.OK)).EnumerateArray());
        Assert.Contains(app.Logs.Lines, line => line.StartsWith("Error ", StringComparison.Ordinal) && line.Contains("seeded-zoos.json cannot be read", StringComparison.Ordinal));
    }
}
