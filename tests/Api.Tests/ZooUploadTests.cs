using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Know2Vec.Api.Tests;

/// <summary>POST /zoos as multipart: the manifest plus its .onnx files.</summary>
public sealed class ZooUploadTests
{
    /// <summary>
    /// The manifest and its files as a form. A model whose sha256 is still the placeholder
    /// (<see cref="TestData.ZeroSha"/>) gets the hash of the bytes sent for its file, as an operator's
    /// manifest would have; any other hash is sent as written.
    /// </summary>
    private static MultipartFormDataContent Upload(string manifest, params (string Name, byte[] Bytes)[] files)
    {
        var document = JsonNode.Parse(manifest)!;
        foreach (var model in document["models"]!.AsArray())
        {
            if (model!["sha256"]!.GetValue<string>() == TestData.ZeroSha
                && files.FirstOrDefault(f => f.Name == model["file"]!.GetValue<string>()) is { Bytes: { } bytes })
            {
                model["sha256"] = Convert.ToHexStringLower(SHA256.HashData(bytes));
            }
        }

        manifest = document.ToJsonString();
        var form = new MultipartFormDataContent { { new StringContent(manifest, Encoding.UTF8), "manifest" } };
        foreach (var (name, bytes) in files)
        {
            form.Add(TestData.File(bytes), "files", name);
        }
        return form;
    }

    [Fact]
    public async Task Upload_is_stored_under_the_data_directory_and_removed_with_the_zoo()
    {
        using var dir = new TestDirectory();
        await using var app = new Know2VecApp(dir);
        using var client = app.CreateWriter();
        var manifest = TestData.Manifest("Uploaded", TestData.Model("a", "a.onnx"), TestData.Model("b", "sub/b.onnx"));

        var response = await client.PostAsync("/zoos", Upload(manifest, ("a.onnx", TestData.RandomBytes(100)), ("sub/b.onnx", TestData.RandomBytes(100))));

        var body = await TestData.ReadJsonAsync(response, HttpStatusCode.Accepted);
        Assert.Equal("uploaded", body.GetProperty("id").GetString());
        var stored = Assert.Single(UploadFolders(dir, "uploaded"));
        Assert.True(File.Exists(Path.Combine(stored, "a.onnx")));
        Assert.True(File.Exists(Path.Combine(stored, "sub", "b.onnx")));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(dir.DataDirectory, "staging")));

        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync("/zoos/uploaded")).StatusCode);
        Assert.False(Directory.Exists(stored));

        // A re-upload of the same id gets a folder of its own: deleting the old zoo never touches it.
        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsync("/zoos", Upload(manifest, ("a.onnx", TestData.RandomBytes(100)), ("sub/b.onnx", TestData.RandomBytes(100))))).StatusCode);
        Assert.NotEqual(stored, Assert.Single(UploadFolders(dir, "uploaded")));
    }

    [Fact]
    public async Task A_file_whose_bytes_are_not_the_declared_sha256_is_refused_at_once_and_nothing_is_kept()
    {
        using var dir = new TestDirectory();
        await using var app = new Know2VecApp(dir);
        using var client = app.CreateWriter();
        var wrong = new string('a', 64);
        var manifest = TestData.Manifest("Tampered", TestData.Model("good", "good.onnx"), TestData.Model("bad", "bad.onnx", sha256: wrong));

        var response = await client.PostAsync("/zoos", Upload(manifest, ("good.onnx", TestData.RandomBytes(100)), ("bad.onnx", TestData.RandomBytes(100))));

        var messages = await TestData.AssertValidationProblemAsync(response, "/models/1/sha256");
        Assert.Contains(messages, m => m.Contains("model 'bad'", StringComparison.Ordinal) && m.Contains(wrong, StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/zoos/tampered")).StatusCode);
        Assert.Empty(UploadFolders(dir, "tampered"));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(dir.DataDirectory, "staging")));
    }

    [Fact]
    public async Task Files_of_uploads_a_crash_left_behind_are_removed_at_start_unless_recent_or_registered()
    {
        using var dir = new TestDirectory();
        var zoos = Path.Combine(dir.DataDirectory, "zoos");
        string Folder(string path, TimeSpan age)
        {
            Directory.CreateDirectory(path);
            File.WriteAllBytes(Path.Combine(path, "a.onnx"), TestData.RandomBytes(10));
            Directory.SetLastWriteTimeUtc(path, DateTime.UtcNow - age);
            return path;
        }

        var orphan = Folder(Path.Combine(zoos, "ghost-0123"), TimeSpan.FromHours(3));
        var staged = Folder(Path.Combine(dir.DataDirectory, "staging", "abc"), TimeSpan.FromHours(3));
        var recent = Folder(Path.Combine(zoos, "busy-4567"), TimeSpan.FromMinutes(1));

        await using var app = new Know2VecApp(dir);
        using var client = app.CreateWriter();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/live")).StatusCode);

        Assert.False(Directory.Exists(orphan));
        Assert.False(Directory.Exists(staged));
        Assert.True(Directory.Exists(recent)); // may be another replica's upload in progress
    }

    private static string[] UploadFolders(TestDirectory dir, string zooId)
    {
        var zoos = Path.Combine(dir.DataDirectory, "zoos");
        return Directory.Exists(zoos) ? Directory.GetDirectories(zoos, zooId + "-*") : [];
    }

    [Fact]
    public async Task Manifest_may_be_sent_as_a_file()
    {
        using var dir = new TestDirectory();
        await using var app = new Know2VecApp(dir);
        using var client = app.CreateWriter();
        var bytes = TestData.RandomBytes(10);
        var manifest = TestData.Manifest("as-file", TestData.Model("a", "a.onnx", sha256: Convert.ToHexStringLower(SHA256.HashData(bytes))));
        var form = new MultipartFormDataContent
        {
            { TestData.File(Encoding.UTF8.GetBytes(manifest), "application/json"), "manifest", "manifest.json" },
            { TestData.File(bytes), "files", "a.onnx" },
        };

        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsync("/zoos", form)).StatusCode);
    }

    [Theory]
    [InlineData("../evil.onnx")]
    [InlineData("/etc/evil.onnx")]
    [InlineData("dir\\evil.onnx")]
    [InlineData("evil.exe")]
    public async Task File_names_escaping_the_zoo_are_refused(string name)
    {
        using var dir = new TestDirectory();
        await using var app = new Know2VecApp(dir);
        using var client = app.CreateWriter();
        var manifest = TestData.Manifest("evil", TestData.Model("a", "a.onnx"));

        var response = await client.PostAsync("/zoos", Upload(manifest, ("a.onnx", TestData.RandomBytes(10)), (name, TestData.RandomBytes(10))));

        await TestData.AssertValidationProblemAsync(response, "files");
        Assert.False(File.Exists(Path.Combine(dir.DataDirectory, "evil.onnx")));
        Assert.False(File.Exists(Path.Combine(dir.Path, "evil.onnx")));
        Assert.Empty(UploadFolders(dir, "evil"));
    }

    [Fact]
    public async Task A_file_the_manifest_names_but_was_not_sent_is_refused()
    {
        using var dir = new TestDirectory();
        await using var app = new Know2VecApp(dir);
        using var client = app.CreateWriter();
        var manifest = TestData.Manifest("partial", TestData.Model("a", "a.onnx"), TestData.Model("b", "b.onnx"));

        var response = await client.PostAsync("/zoos", Upload(manifest, ("a.onnx", TestData.RandomBytes(10))));

        await TestData.AssertValidationProblemAsync(response, "/models/1/file");
        Assert.Empty(UploadFolders(dir, "partial"));
    }

    [Fact]
    public async Task A_file_no_manifest_entry_names_is_refused()
    {
        using var dir = new TestDirectory();
        await using var app = new Know2VecApp(dir);
        using var client = app.CreateWriter();
        var manifest = TestData.Manifest("extra", TestData.Model("a", "a.onnx"));

        var response = await client.PostAsync("/zoos", Upload(manifest, ("a.onnx", TestData.RandomBytes(10)), ("b.onnx", TestData.RandomBytes(10))));

        await TestData.AssertValidationProblemAsync(response, "files");
    }

    [Fact]
    public async Task A_form_without_manifest_is_refused()
    {
        using var dir = new TestDirectory();
        await using var app = new Know2VecApp(dir);
        using var client = app.CreateWriter();
        var form = new MultipartFormDataContent { { TestData.File(TestData.RandomBytes(10)), "files", "a.onnx" } };

        await TestData.AssertValidationProblemAsync(await client.PostAsync("/zoos", form), "manifest");
    }

    [Fact]
    public async Task Uploading_an_existing_zoo_is_a_conflict_and_keeps_the_first()
    {
        using var dir = new TestDirectory();
        await using var app = new Know2VecApp(dir);
        using var client = app.CreateWriter();
        var manifest = TestData.Manifest("dup", TestData.Model("a", "a.onnx"));
        var first = TestData.RandomBytes(10);

        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsync("/zoos", Upload(manifest, ("a.onnx", first)))).StatusCode);
        var second = await client.PostAsync("/zoos", Upload(manifest, ("a.onnx", TestData.RandomBytes(10))));

        await TestData.AssertProblemAsync(second, HttpStatusCode.Conflict);
        Assert.Equal(first, File.ReadAllBytes(Path.Combine(Assert.Single(UploadFolders(dir, "dup")), "a.onnx")));
    }

    [Fact]
    public async Task An_upload_over_the_size_limit_is_413()
    {
        using var dir = new TestDirectory();
        await using var app = new Know2VecApp(dir, new Dictionary<string, string?> { ["Know2Vec:Limits:MaxUploadBytes"] = "4096" });
        using var client = app.CreateWriter();
        var manifest = TestData.Manifest("big", TestData.Model("a", "a.onnx"));

        var response = await client.PostAsync("/zoos", Upload(manifest, ("a.onnx", TestData.RandomBytes(64 * 1024))));

        await TestData.AssertProblemAsync(response, HttpStatusCode.RequestEntityTooLarge);
        Assert.Empty(UploadFolders(dir, "big"));
    }
}
