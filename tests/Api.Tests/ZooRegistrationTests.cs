using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Know2Vec.Api.Tests;

/// <summary>POST /zoos with a JSON manifest whose files lie under Know2Vec:ZooRoot, and the zoo/model reads.</summary>
public sealed class ZooRegistrationTests
{
    [Fact]
    public async Task Json_manifest_is_registered_and_queued()
    {
        using var dir = new TestDirectory();
        TestData.WriteFile(dir.ZooRoot, "models/a.onnx");
        TestData.WriteFile(dir.ZooRoot, "models/b.onnx");
        await using var app = new Know2VecApp(dir);
        using var client = app.CreateWriter();

        var manifest = TestData.Manifest("My Test Zoo (v1)",
            TestData.Model("alpha", "models/a.onnx", labels: ["cat", "dog"], parameters: 500, architecture: "cnn", tags: ["pets"]),
            TestData.Model("beta", "models/b.onnx", parameters: 5000));
        var response = await client.PostAsync("/zoos", TestData.Json(manifest));

        var body = await TestData.ReadJsonAsync(response, HttpStatusCode.Accepted);
        Assert.Equal("/zoos/my-test-zoo-v1", response.Headers.Location?.OriginalString);
        Assert.Equal("my-test-zoo-v1", body.GetProperty("id").GetString());
        Assert.False(string.IsNullOrEmpty(body.GetProperty("jobId").GetString()));
        Assert.Equal(["my-test-zoo-v1:alpha", "my-test-zoo-v1:beta"], body.GetProperty("models").EnumerateArray().Select(m => m.GetString()));

        var zoo = await TestData.ReadJsonAsync(await client.GetAsync("/zoos/my-test-zoo-v1"), HttpStatusCode.OK);
        Assert.Equal("My Test Zoo (v1)", zoo.GetProperty("name").GetString());
        var status = zoo.GetProperty("status");
        Assert.Equal(2, status.GetProperty("total").GetInt32());
        Assert.Equal(2, status.GetProperty("pending").GetInt32() + status.GetProperty("indexing").GetInt32()
            + status.GetProperty("indexed").GetInt32() + status.GetProperty("failed").GetInt32());
        Assert.True(zoo.TryGetProperty("percent", out _));

        var zoos = await TestData.ReadJsonAsync(await client.GetAsync("/zoos"), HttpStatusCode.OK);
        Assert.Equal("my-test-zoo-v1", Assert.Single(zoos.EnumerateArray()).GetProperty("id").GetString());

        var model = await TestData.ReadJsonAsync(await client.GetAsync("/models/my-test-zoo-v1:alpha"), HttpStatusCode.OK);
        Assert.Equal("my-test-zoo-v1", model.GetProperty("zooId").GetString());
        Assert.Equal("alpha", model.GetProperty("name").GetString());
        Assert.Equal(["cat", "dog"], model.GetProperty("labels").EnumerateArray().Select(l => l.GetString()));
        Assert.Equal(JsonValueKind.Array, model.GetProperty("input").GetProperty("shape").ValueKind);
        Assert.Contains(model.GetProperty("status").GetString(), new[] { "pending", "indexing", "indexed", "failed" });

        var filtered = await TestData.ReadJsonAsync(await client.GetAsync("/models?zoo=my-test-zoo-v1&architecture=cnn&tag=pets&maxParameters=1000"), HttpStatusCode.OK);
        Assert.Equal("my-test-zoo-v1:alpha", Assert.Single(filtered.EnumerateArray()).GetProperty("id").GetString());
        var none = await TestData.ReadJsonAsync(await client.GetAsync("/models?maxParameters=100"), HttpStatusCode.OK);
        Assert.Empty(none.EnumerateArray());
    }

    [Fact]
    public async Task Malformed_json_is_a_validation_problem()
    {
        using var dir = new TestDirectory();
        await using var app = new Know2VecApp(dir);
        using var client = app.CreateWriter();

        var response = await client.PostAsync("/zoos", TestData.Json("{ \"name\": \"x\", "));

        var messages = await TestData.AssertValidationProblemAsync(response, "manifest");
        Assert.Contains(messages, m => m.Contains("malformed JSON", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Schema_violation_names_the_field()
    {
        using var dir = new TestDirectory();
        TestData.WriteFile(dir.ZooRoot, "a.onnx");
        await using var app = new Know2VecApp(dir);
        using var client = app.CreateWriter();
        var model = TestData.Model("alpha", "a.onnx");
        model["parameters"] = "many";

        var response = await client.PostAsync("/zoos", TestData.Json(TestData.Manifest("zoo", model)));

        await TestData.AssertValidationProblemAsync(response, "/models/0/parameters");
    }

    [Fact]
    public async Task A_declared_input_the_file_contradicts_is_refused_and_nothing_is_stored()
    {
        using var dir = new TestDirectory();
        var model = BenchmarkZoo.CopyModel("fashion-1-8-cnn-small-a", dir.ZooRoot);
        model["input"]!["shape"] = new JsonArray(3, 28, 28); // the file takes [N,1,28,28]
        await using var app = new Know2VecApp(dir);
        using var client = app.CreateWriter();

        var response = await client.PostAsync("/zoos", TestData.Json(TestData.Manifest("Contradicted", model)));

        var messages = await TestData.AssertValidationProblemAsync(response, "/models/0/input/shape");
        Assert.Contains(messages, m => m.Contains("model 'fashion-1-8-cnn-small-a'", StringComparison.Ordinal)
            && m.Contains("[3,28,28]", StringComparison.Ordinal) && m.Contains(",1,28,28]", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/zoos/contradicted")).StatusCode);
    }

    [Fact]
    public async Task Duplicate_model_ids_are_refused()
    {
        using var dir = new TestDirectory();
        TestData.WriteFile(dir.ZooRoot, "a.onnx");
        await using var app = new Know2VecApp(dir);
        using var client = app.CreateWriter();

        var response = await client.PostAsync("/zoos", TestData.Json(TestData.Manifest("zoo",
            TestData.Model("same", "a.onnx"), TestData.Model("same", "a.onnx"))));

        var messages = await TestData.AssertValidationProblemAsync(response, "/models/1/id");
        Assert.Contains(messages, m => m.Contains("duplicate", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_file_escaping_the_zoo_root_is_refused()
    {
        using var dir = new TestDirectory();
        TestData.WriteFile(dir.Path, "outside.onnx"); // exists, but outside the zoo root
        await using var app = new Know2VecApp(dir);
        using var client = app.CreateWriter();

        var response = await client.PostAsync("/zoos", TestData.Json(TestData.Manifest("zoo", TestData.Model("m", "../outside.onnx"))));

        var messages = await TestData.AssertValidationProblemAsync(response, "/models/0/file");
        Assert.Contains(messages, m => m.Contains("escapes", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_missing_model_file_is_refused()
    {
        using var dir = new TestDirectory();
        await using var app = new Know2VecApp(dir);
        using var client = app.CreateWriter();

        var response = await client.PostAsync("/zoos", TestData.Json(TestData.Manifest("zoo", TestData.Model("m", "nowhere.onnx"))));

        await TestData.AssertValidationProblemAsync(response, "/models/0/file");
    }

    [Fact]
    public async Task A_name_without_letters_or_digits_cannot_form_an_id()
    {
        using var dir = new TestDirectory();
        TestData.WriteFile(dir.ZooRoot, "a.onnx");
        await using var app = new Know2VecApp(dir);
        using var client = app.CreateWriter();

        var response = await client.PostAsync("/zoos", TestData.Json(TestData.Manifest("***", TestData.Model("m", "a.onnx"))));

        await TestData.AssertValidationProblemAsync(response, "/name");
    }

    [Fact]
    public async Task Registering_the_same_zoo_twice_is_a_conflict()
    {
        using var dir = new TestDirectory();
        TestData.WriteFile(dir.ZooRoot, "a.onnx");
        await using var app = new Know2VecApp(dir);
        using var client = app.CreateWriter();
        var manifest = TestData.Manifest("Twice", TestData.Model("m", "a.onnx"));

        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsync("/zoos", TestData.Json(manifest))).StatusCode);
        var second = await client.PostAsync("/zoos", TestData.Json(manifest.Replace("\"Twice\"", "\"twice!\"", StringComparison.Ordinal)));

        var problem = await TestData.AssertProblemAsync(second, HttpStatusCode.Conflict);
        Assert.Contains("'twice'", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_oversized_manifest_is_413()
    {
        using var dir = new TestDirectory();
        TestData.WriteFile(dir.ZooRoot, "a.onnx");
        await using var app = new Know2VecApp(dir, new Dictionary<string, string?> { ["Know2Vec:Limits:MaxManifestBytes"] = "256" });
        using var client = app.CreateWriter();
        var model = TestData.Model("m", "a.onnx");

        var response = await client.PostAsync("/zoos", TestData.Json(TestData.Manifest(new string('z', 300), model)));

        await TestData.AssertProblemAsync(response, HttpStatusCode.RequestEntityTooLarge);
    }

    [Fact]
    public async Task Another_content_type_is_415()
    {
        using var dir = new TestDirectory();
        await using var app = new Know2VecApp(dir);
        using var client = app.CreateWriter();

        var response = await client.PostAsync("/zoos", new StringContent("name: zoo", System.Text.Encoding.UTF8, "text/yaml"));

        await TestData.AssertProblemAsync(response, HttpStatusCode.UnsupportedMediaType);
    }

    [Fact]
    public async Task Unknown_zoo_and_model_are_404()
    {
        using var dir = new TestDirectory();
        await using var app = new Know2VecApp(dir);
        using var client = app.CreateWriter();

        await TestData.AssertProblemAsync(await client.GetAsync("/zoos/nope"), HttpStatusCode.NotFound);
        await TestData.AssertProblemAsync(await client.DeleteAsync("/zoos/nope"), HttpStatusCode.NotFound);
        await TestData.AssertProblemAsync(await client.GetAsync("/models/nope:model"), HttpStatusCode.NotFound);
        await TestData.AssertProblemAsync(await client.GetAsync("/no-such-route"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_bad_maxParameters_filter_names_the_field()
    {
        using var dir = new TestDirectory();
        await using var app = new Know2VecApp(dir);
        using var client = app.CreateClient();

        await TestData.AssertValidationProblemAsync(await client.GetAsync("/models?maxParameters=lots"), "maxParameters");
    }

    [Fact]
    public async Task Deleting_a_zoo_removes_it_and_its_models()
    {
        using var dir = new TestDirectory();
        TestData.WriteFile(dir.ZooRoot, "a.onnx");
        await using var app = new Know2VecApp(dir);
        using var client = app.CreateWriter();
        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsync("/zoos", TestData.Json(TestData.Manifest("gone", TestData.Model("m", "a.onnx"))))).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync("/zoos/gone")).StatusCode);

        await TestData.AssertProblemAsync(await client.GetAsync("/zoos/gone"), HttpStatusCode.NotFound);
        await TestData.AssertProblemAsync(await client.GetAsync("/models/gone:m"), HttpStatusCode.NotFound);
        Assert.True(File.Exists(Path.Combine(dir.ZooRoot, "a.onnx")), "files registered by path belong to the operator");
    }
}
