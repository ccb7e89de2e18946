using System.Net;

namespace Know2Vec.Api.Tests;

/// <summary>Writes (POST and DELETE /zoos) need X-Api-Key = Know2Vec:ApiKey; reads and queries do not.</summary>
public sealed class ApiKeyTests
{
    private static string ValidManifest(TestDirectory dir)
    {
        TestData.WriteFile(dir.ZooRoot, "a.onnx");
        return TestData.Manifest("keyed", TestData.Model("m", "a.onnx"));
    }

    [Fact]
    public async Task Missing_key_is_401()
    {
        using var dir = new TestDirectory();
        await using var app = new Know2VecApp(dir);
        using var client = app.CreateClient();

        var response = await client.PostAsync("/zoos", TestData.Json(ValidManifest(dir)));

        var problem = await TestData.AssertProblemAsync(response, HttpStatusCode.Unauthorized);
        Assert.Contains("X-Api-Key", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        await TestData.AssertProblemAsync(await client.DeleteAsync("/zoos/keyed"), HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Wrong_key_is_401()
    {
        using var dir = new TestDirectory();
        await using var app = new Know2VecApp(dir);
        using var client = app.CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", "not-the-key");

        var response = await client.PostAsync("/zoos", TestData.Json(ValidManifest(dir)));

        await TestData.AssertProblemAsync(response, HttpStatusCode.Unauthorized);
        await TestData.AssertProblemAsync(await client.GetAsync("/zoos/keyed"), HttpStatusCode.NotFound); // nothing was registered
    }

    [Fact]
    public async Task Without_a_configured_key_writes_are_refused_outside_development()
    {
        using var dir = new TestDirectory();
        await using var app = new Know2VecApp(dir, new Dictionary<string, string?> { ["Know2Vec:ApiKey"] = "" }, environment: "Production");
        using var client = app.CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", "anything");

        var response = await client.PostAsync("/zoos", TestData.Json(ValidManifest(dir)));

        var problem = await TestData.AssertProblemAsync(response, HttpStatusCode.Forbidden);
        Assert.Contains("Know2Vec:ApiKey", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_configured_key_writes_are_open_in_development()
    {
        using var dir = new TestDirectory();
        await using var app = new Know2VecApp(dir, new Dictionary<string, string?> { ["Know2Vec:ApiKey"] = "" }, environment: "Development");
        using var client = app.CreateClient();

        var response = await client.PostAsync("/zoos", TestData.Json(ValidManifest(dir)));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    [Fact]
    public async Task Reads_need_no_key()
    {
        using var dir = new TestDirectory();
        await using var app = new Know2VecApp(dir);
        using var client = app.CreateClient();

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/zoos")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/models")).StatusCode);
    }
}
