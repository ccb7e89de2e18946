using System.Net;
using System.Text;

namespace Know2Vec.Api.Tests;

/// <summary>POST /queries input checks: everything that is refused before the query service runs.</summary>
public sealed class QueryValidationTests
{
    private static MultipartFormDataContent Query(IEnumerable<(string Name, byte[] Bytes)> images, IEnumerable<string>? labels = null, params (string Key, string Value)[] fields)
    {
        var form = new MultipartFormDataContent();
        foreach (var (name, bytes) in images)
        {
            form.Add(TestData.File(bytes, "image/png"), "images", name);
        }
        foreach (var label in labels ?? [])
        {
            form.Add(new StringContent(label, Encoding.UTF8), "labels");
        }
        foreach (var (key, value) in fields)
        {
            form.Add(new StringContent(value, Encoding.UTF8), key);
        }
        return form;
    }

    private static (string, byte[])[] Pngs(int count) =>
        Enumerable.Range(1, count).Select(i => ($"{i:00}.png", TestData.SamplePng(index: i))).ToArray();

    [Fact]
    public async Task A_non_image_upload_is_named_in_the_problem()
    {
        using var dir = new TestDirectory();
        await using var app = new Know2VecApp(dir);
        using var client = app.CreateClient(); // queries are reads: no API key

        var response = await client.PostAsync("/queries", Query([("01.png", TestData.SamplePng()), ("notes.txt", Encoding.UTF8.GetBytes("not an image at all"))]));

        var messages = await TestData.AssertValidationProblemAsync(response, "images[1]");
        Assert.Contains(messages, m => m.Contains("notes.txt", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Label_count_must_match_image_count()
    {
        using var dir = new TestDirectory();
        await using var app = new Know2VecApp(dir);
        using var client = app.CreateClient();

        var response = await client.PostAsync("/queries", Query(Pngs(3), ["sneaker", "sneaker"]));

        await TestData.AssertValidationProblemAsync(response, "labels");
    }

    [Fact]
    public async Task Too_many_images_are_refused()
    {
        using var dir = new TestDirectory();
        await using var app = new Know2VecApp(dir, new Dictionary<string, string?> { ["Know2Vec:Limits:MaxImagesPerQuery"] = "2" });
        using var client = app.CreateClient();

        var response = await client.PostAsync("/queries", Query(Pngs(3)));

        var messages = await TestData.AssertValidationProblemAsync(response, "images");
        Assert.Contains(messages, m => m.Contains("At most 2", StringComparison.Ordinal));
    }

    [Fact]
    public async Task No_images_are_refused()
    {
        using var dir = new TestDirectory();
        await using var app = new Know2VecApp(dir);
        using var client = app.CreateClient();

        await TestData.AssertValidationProblemAsync(await client.PostAsync("/queries", Query([], fields: ("topK", "5"))), "images");
    }

    [Fact]
    public async Task An_oversized_upload_is_413()
    {
        using var dir = new TestDirectory();
        await using var app = new Know2VecApp(dir, new Dictionary<string, string?> { ["Know2Vec:Limits:MaxUploadBytes"] = "4096" });
        using var client = app.CreateClient();

        var response = await client.PostAsync("/queries", Query([("big.png", TestData.RandomBytes(64 * 1024))]));

        await TestData.AssertProblemAsync(response, HttpStatusCode.RequestEntityTooLarge);
    }

    [Fact]
    public async Task An_image_over_the_pixel_limit_is_refused()
    {
        using var dir = new TestDirectory();
        await using var app = new Know2VecApp(dir, new Dictionary<string, string?> { ["Know2Vec:Images:MaxWidth"] = "16" });
        using var client = app.CreateClient();

        var response = await client.PostAsync("/queries", Query(Pngs(1)));

        var messages = await TestData.AssertValidationProblemAsync(response, "images[0]");
        Assert.Contains(messages, m => m.Contains("01.png", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("21")]
    [InlineData("-1")]
    [InlineData("all")]
    public async Task Rerank_outside_its_range_names_the_field(string rerank)
    {
        using var dir = new TestDirectory();
        await using var app = new Know2VecApp(dir);
        using var client = app.CreateClient();

        await TestData.AssertValidationProblemAsync(await client.PostAsync("/queries", Query(Pngs(1), fields: ("rerank", rerank))), "rerank");
    }

    [Theory]
    [InlineData("0")]
    [InlineData("101")]
    [InlineData("ten")]
    public async Task TopK_outside_its_range_names_the_field(string topK)
    {
        using var dir = new TestDirectory();
        await using var app = new Know2VecApp(dir);
        using var client = app.CreateClient();

        await TestData.AssertValidationProblemAsync(await client.PostAsync("/queries", Query(Pngs(1), fields: ("topK", topK))), "topK");
    }

    [Fact]
    public async Task A_bad_maxParameters_filter_names_the_field()
    {
        using var dir = new TestDirectory();
        await using var app = new Know2VecApp(dir);
        using var client = app.CreateClient();

        await TestData.AssertValidationProblemAsync(await client.PostAsync("/queries", Query(Pngs(1), fields: ("maxParameters", "-5"))), "maxParameters");
    }

    [Fact]
    public async Task A_body_that_is_not_a_form_is_a_problem()
    {
        using var dir = new TestDirectory();
        await using var app = new Know2VecApp(dir);
        using var client = app.CreateClient();

        var response = await client.PostAsync("/queries", TestData.Json("{}"));

        var problem = await TestData.AssertProblemAsync(response, HttpStatusCode.UnsupportedMediaType);
        Assert.Equal("Unsupported Media Type", problem.GetProperty("title").GetString());
        Assert.False(problem.TryGetProperty("exception", out _));
    }
}
