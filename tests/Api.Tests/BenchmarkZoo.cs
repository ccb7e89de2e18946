using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Know2Vec.Api.Tests;

/// <summary>Real models from the committed benchmark zoo, copied into a test's own zoo root.</summary>
public static class BenchmarkZoo
{
    private static readonly Lazy<JsonArray> Models = new(() =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(RepoPaths.ZooManifests, "benchmark.json")))!["models"]!.AsArray());

    /// <summary>The benchmark manifest entry of <paramref name="id"/>, its file copied to <paramref name="root"/>/models/.</summary>
    public static JsonObject CopyModel(string id, string root)
    {
        var entry = Models.Value.Single(m => (string?)m!["id"] == id)!.DeepClone().AsObject();
        var source = Path.Combine(RepoPaths.ZooManifests, (string)entry["file"]!);
        var file = $"models/{id}.onnx";
        Directory.CreateDirectory(Path.Combine(root, "models"));
        File.Copy(source, Path.Combine(root, file));
        entry["file"] = file;
        return entry;
    }

    /// <summary>Polls GET /zoos/{id} until no model is pending or indexing (a liveness bound, not a measurement: generous for a loaded 2-core machine running several test projects).</summary>
    public static async Task<JsonElement> WaitUntilIndexedAsync(HttpClient client, string zooId, TimeSpan? timeout = null)
    {
        using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromMinutes(5));
        JsonElement zoo = default;
        while (!cancel.IsCancellationRequested)
        {
            zoo = await TestData.ReadJsonAsync(await client.GetAsync($"/zoos/{zooId}"), HttpStatusCode.OK);
            var status = zoo.GetProperty("status");
            if (status.GetProperty("pending").GetInt32() == 0 && status.GetProperty("indexing").GetInt32() == 0)
            {
                return zoo;
            }
            await Task.Delay(250, CancellationToken.None);
        }
        throw new TimeoutException($"zoo {zooId} still indexing: {zoo}");
    }

    /// <summary>A query form with <paramref name="perClass"/> sample PNGs per class, labelled by class unless <paramref name="labelled"/> is false.</summary>
    public static MultipartFormDataContent Query(string dataset, IEnumerable<string> classes, int perClass = 10, bool labelled = true, params (string Key, string Value)[] fields)
    {
        var form = new MultipartFormDataContent();
        foreach (var @class in classes)
        {
            for (var i = 1; i <= perClass; i++)
            {
                var image = new ByteArrayContent(File.ReadAllBytes(RepoPaths.Sample(dataset, @class, i)));
                image.Headers.ContentType = new MediaTypeHeaderValue("image/png");
                form.Add(image, "images", $"{@class}-{i:00}.png");
                if (labelled)
                {
                    form.Add(new StringContent(@class, Encoding.UTF8), "labels");
                }
            }
        }
        foreach (var (key, value) in fields)
        {
            form.Add(new StringContent(value, Encoding.UTF8), key);
        }
        return form;
    }

    /// <summary>Model ids of a query answer, best first.</summary>
    public static string[] RankedModelIds(JsonElement answer) =>
        answer.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("modelId").GetString()!).ToArray();
}
