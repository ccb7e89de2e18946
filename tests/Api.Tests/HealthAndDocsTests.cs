using System.Net;
using System.Text.Json;

namespace Know2Vec.Api.Tests;

public sealed class HealthAndDocsTests
{
    [Fact]
    public async Task Live_and_ready_report_healthy_with_the_execution_provider()
    {
        using var dir = new TestDirectory();
        await using var app = new Know2VecApp(dir);
        using var client = app.CreateClient();

        var live = await TestData.ReadJsonAsync(await client.GetAsync("/health/live"), HttpStatusCode.OK);
        Assert.Equal("Healthy", live.GetProperty("status").GetString());

        var ready = await TestData.ReadJsonAsync(await client.GetAsync("/health/ready"), HttpStatusCode.OK);
        Assert.Equal("Healthy", ready.GetProperty("status").GetString());
        Assert.Contains(ready.GetProperty("provider").GetString(), new[] { "CPU", "CUDA" });
        Assert.Equal("Healthy", ready.GetProperty("checks").GetProperty("catalog").GetProperty("status").GetString());
        Assert.Equal("Healthy", ready.GetProperty("checks").GetProperty("featurizer").GetProperty("status").GetString());
    }

    [Fact]
    public async Task Swagger_document_and_ui_load()
    {
        using var dir = new TestDirectory();
        await using var app = new Know2VecApp(dir);
        using var client = app.CreateClient();

        var document = await TestData.ReadJsonAsync(await client.GetAsync("/swagger/v1/swagger.json"), HttpStatusCode.OK);
        var paths = document.GetProperty("paths");
        foreach (var path in new[] { "/zoos", "/zoos/{id}", "/models", "/models/{id}", "/queries" })
        {
            Assert.True(paths.TryGetProperty(path, out _), $"{path} missing from the OpenAPI document");
        }
        // The query form offers a file picker: images are binary form parts.
        var form = paths.GetProperty("/queries").GetProperty("post").GetProperty("requestBody").GetProperty("content").GetProperty("multipart/form-data");
        Assert.Contains("binary", form.GetRawText(), StringComparison.Ordinal);
        // Zoos register from a JSON manifest or from an upload with files.
        var zooBodies = paths.GetProperty("/zoos").GetProperty("post").GetProperty("requestBody").GetProperty("content");
        Assert.True(zooBodies.TryGetProperty("application/json", out _));
        Assert.Contains("binary", zooBodies.GetProperty("multipart/form-data").GetRawText(), StringComparison.Ordinal);
        // Writes show the API key requirement.
        Assert.True(paths.GetProperty("/zoos").GetProperty("post").TryGetProperty("security", out _));
        Assert.True(document.GetProperty("components").GetProperty("securitySchemes").TryGetProperty("ApiKey", out _));

        var ui = await client.GetAsync("/swagger/index.html");
        Assert.Equal(HttpStatusCode.OK, ui.StatusCode);
        Assert.Contains("swagger", await ui.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Invalid_limits_stop_the_service_at_start()
    {
        using var dir = new TestDirectory();
        await using var app = new Know2VecApp(dir, new Dictionary<string, string?> { ["Know2Vec:Query:MaxTopK"] = "0" });

        var error = Assert.ThrowsAny<Exception>(() => app.CreateClient());
        Assert.Contains("MaxTopK", error.ToString(), StringComparison.Ordinal);
    }
}
