using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Know2Vec.Api.Tests;

/// <summary>Manifests, uploads and problem assertions shared by the tests.</summary>
public static class TestData
{
    public static readonly string ZeroSha = new('0', 64);

    /// <summary>One manifest entry.</summary>
    public static JsonObject Model(string id, string file, string? sha256 = null, string[]? labels = null, long parameters = 1000, string architecture = "mlp", string[]? tags = null) => new()
    {
        ["id"] = id,
        ["file"] = file,
        ["sha256"] = sha256 ?? ZeroSha,
        ["architecture"] = architecture,
        ["parameters"] = parameters,
        ["input"] = new JsonObject { ["shape"] = new JsonArray(1, 28, 28), ["range"] = new JsonArray(0, 1), ["layout"] = "NCHW" },
        ["labels"] = new JsonArray((labels ?? ["a", "b"]).Select(l => (JsonNode)l!).ToArray()),
        ["tags"] = new JsonArray((tags ?? ["test"]).Select(t => (JsonNode)t!).ToArray()),
        ["license"] = "MIT",
    };

    public static string Manifest(string name, params JsonObject[] models) => new JsonObject
    {
        ["name"] = name,
        ["version"] = "1.0.0",
        ["models"] = new JsonArray(models.Select(m => m.DeepClone()).ToArray()),
    }.ToJsonString();

    /// <summary>Writes a file of random bytes (registration does not look inside model files).</summary>
    public static void WriteFile(string root, string relative, int bytes = 64)
    {
        var path = Path.Combine(root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        System.IO.File.WriteAllBytes(path, RandomBytes(bytes));
    }

    public static byte[] RandomBytes(int count)
    {
        var bytes = new byte[count];
        Random.Shared.NextBytes(bytes);
        return bytes;
    }

    public static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    public static ByteArrayContent File(byte[] bytes, string contentType = "application/octet-stream")
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        return content;
    }

    /// <summary>A real 28×28 grey PNG from the committed samples.</summary>
    public static byte[] SamplePng(string dataset = "fashion-mnist", string @class = "sneaker", int index = 1) =>
        System.IO.File.ReadAllBytes(RepoPaths.Sample(dataset, @class, index));

    /// <summary>Asserts an RFC 7807 answer with this status; returns its JSON.</summary>
    public static async Task<JsonElement> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {(int)status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(text).RootElement.Clone();
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("title").GetString()));
        return problem;
    }

    /// <summary>Asserts a 400 validation problem whose errors name <paramref name="field"/>; returns that field's messages.</summary>
    public static async Task<string[]> AssertValidationProblemAsync(HttpResponseMessage response, string field)
    {
        var problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.True(problem.TryGetProperty("errors", out var errors), $"not a validation problem: {problem}");
        Assert.True(errors.TryGetProperty(field, out var messages), $"no error for '{field}' in {errors}");
        return messages.EnumerateArray().Select(m => m.GetString()!).ToArray();
    }

    public static async Task<JsonElement> ReadJsonAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {(int)status}, got {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    public static Task<HttpResponseMessage> PostJsonAsync(this HttpClient client, string path, object body) =>
        client.PostAsJsonAsync(path, body);
}
