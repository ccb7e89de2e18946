using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace Know2Vec.Api.Tests;

/// <summary>Multipart bodies that cannot be read are the client's error: a 400 ProblemDetails, never a 500 or a 413, and nothing is kept.</summary>
public sealed class MalformedBodyTests
{
    private const string CutOff = "--XB\r\nContent-Disposition: form-data; name=\"manifest\"\r\n\r\n{\"name\": \"cut";
    private const string CutOffImage = "--XB\r\nContent-Disposition: form-data; name=\"images\"; filename=\"a.png\"\r\nContent-Type: image/png\r\n\r\nabc";

    [Theory]
    [InlineData("/zoos", "multipart/form-data", CutOff)]                 // no boundary
    [InlineData("/queries", "multipart/form-data", CutOffImage)]         // no boundary
    [InlineData("/zoos", "multipart/form-data; boundary=XB", CutOff)]    // cut off before the closing boundary
    [InlineData("/queries", "multipart/form-data; boundary=XB", CutOffImage)]
    public async Task A_multipart_body_that_cannot_be_read_is_a_400_problem(string path, string contentType, string body)
    {
        using var dir = new TestDirectory();
        await using var app = new Know2VecApp(dir);
        using var client = app.CreateWriter();
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);

        var response = await client.PostAsync(path, content);

        var problem = await TestData.AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.False(problem.TryGetProperty("exception", out _));
        Assert.DoesNotContain((await TestData.ReadJsonAsync(await client.GetAsync("/zoos"), HttpStatusCode.OK)).EnumerateArray(),
            z => z.GetProperty("id").GetString() != "demo");
        var staging = Path.Combine(dir.DataDirectory, "staging");
        Assert.True(!Directory.Exists(staging) || !Directory.EnumerateFileSystemEntries(staging).Any());
    }
}
