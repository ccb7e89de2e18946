using System.Net;
using System.Text;
using System.Text.Json;
using Hangfire;
using Hangfire.States;
using Know2Vec.Hosting.Jobs;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Know2Vec.Api.Tests;

/// <summary>
/// Who may open the Hangfire dashboard (it can re-queue and delete jobs): the API key in X-Api-Key
/// gets it whole; in Development a request from this machine gets it read-only without a key; a
/// request from another site never gets it; everyone else gets a 401 ProblemDetails. The test server
/// lets a test set the connection's addresses, as Kestrel would. Job actions are real: a queued job
/// is deleted through the dashboard, or is not.
/// </summary>
public sealed class HangfireDashboardTests
{
    private const string Title = "Know2Vec jobs";

    // No job server: a queued job stays queued until the dashboard acts on it.
    private static readonly Dictionary<string, string?> NoJobServer = new() { ["Know2Vec:Jobs:RunServer"] = "false" };

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("::1")]
    public async Task In_development_a_local_request_without_the_key_gets_the_dashboard_read_only(string remote)
    {
        using var dir = new TestDirectory();
        await using var app = new Know2VecApp(dir, NoJobServer, environment: "Development");
        var job = QueueJob(app);

        var page = await SendAsync(app, HttpMethods.Get, "/hangfire", IPAddress.Parse(remote));
        Assert.Equal(StatusCodes.Status200OK, page.Status);
        Assert.Contains(Title, page.Body, StringComparison.Ordinal);

        var delete = await SendAsync(app, HttpMethods.Post, "/hangfire/jobs/enqueued/delete", IPAddress.Parse(remote), form: $"jobs[]={job}");
        Assert.Equal(StatusCodes.Status401Unauthorized, delete.Status);
        Assert.Equal(EnqueuedState.StateName, JobState(app, job));
    }

    [Theory]
    [InlineData("203.0.113.7")]
    [InlineData("10.0.0.12")]
    [InlineData(null)] // address unknown
    public async Task In_development_a_request_from_elsewhere_without_the_key_is_401(string? remote)
    {
        using var dir = new TestDirectory();
        await using var app = new Know2VecApp(dir, environment: "Development");

        var response = await SendAsync(app, HttpMethods.Get, "/hangfire", remote is null ? null : IPAddress.Parse(remote));

        AssertProblem(response, StatusCodes.Status401Unauthorized, "X-Api-Key");
        Assert.DoesNotContain(Title, response.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task In_production_the_dashboard_needs_the_key_even_from_this_machine()
    {
        using var dir = new TestDirectory();
        await using var app = new Know2VecApp(dir, environment: "Production");

        var response = await SendAsync(app, HttpMethods.Get, "/hangfire", IPAddress.Loopback);

        AssertProblem(response, StatusCodes.Status401Unauthorized, "X-Api-Key");
        Assert.Contains("X-Api-Key", response.WwwAuthenticate, StringComparison.Ordinal);
        Assert.Equal(StatusCodes.Status401Unauthorized, (await SendAsync(app, HttpMethods.Get, "/hangfire/jobs/enqueued", IPAddress.Loopback)).Status);
    }

    [Fact]
    public async Task In_production_without_a_configured_key_the_dashboard_is_closed()
    {
        using var dir = new TestDirectory();
        await using var app = new Know2VecApp(dir, new Dictionary<string, string?> { ["Know2Vec:ApiKey"] = "" }, environment: "Production");

        var response = await SendAsync(app, HttpMethods.Get, "/hangfire", IPAddress.Loopback, key: "anything");

        AssertProblem(response, StatusCodes.Status401Unauthorized, "X-Api-Key");
        Assert.DoesNotContain(Title, response.Body, StringComparison.Ordinal);
        var closed = await SendAsync(app, HttpMethods.Get, "/hangfire", IPAddress.Loopback);
        AssertProblem(closed, StatusCodes.Status401Unauthorized, "Know2Vec:ApiKey");
    }

    [Fact]
    public async Task With_the_key_the_dashboard_can_act_on_jobs()
    {
        using var dir = new TestDirectory();
        await using var app = new Know2VecApp(dir, NoJobServer, environment: "Production");
        var job = QueueJob(app);

        var page = await SendAsync(app, HttpMethods.Get, "/hangfire", IPAddress.Parse("203.0.113.7"), key: Know2VecApp.ApiKey);
        Assert.Equal(StatusCodes.Status200OK, page.Status);
        Assert.Contains(Title, page.Body, StringComparison.Ordinal);

        var delete = await SendAsync(app, HttpMethods.Post, "/hangfire/jobs/enqueued/delete", IPAddress.Parse("203.0.113.7"),
            key: Know2VecApp.ApiKey, form: $"jobs[]={job}", headers: [("Sec-Fetch-Site", "same-origin")]);
        Assert.Equal(StatusCodes.Status204NoContent, delete.Status);
        Assert.Equal(DeletedState.StateName, JobState(app, job));
    }

    [Fact]
    public async Task A_wrong_key_is_401_even_in_development_from_this_machine()
    {
        using var dir = new TestDirectory();
        await using var app = new Know2VecApp(dir, environment: "Development");

        var response = await SendAsync(app, HttpMethods.Get, "/hangfire", IPAddress.Loopback, key: "not-the-key");

        AssertProblem(response, StatusCodes.Status401Unauthorized, "does not match");
    }

    [Theory]
    [InlineData("cross-site")]
    [InlineData("same-site")]
    public async Task A_request_from_another_site_is_refused_even_with_the_key(string site)
    {
        using var dir = new TestDirectory();
        await using var app = new Know2VecApp(dir, NoJobServer, environment: "Development");
        var job = QueueJob(app);

        var page = await SendAsync(app, HttpMethods.Get, "/hangfire", IPAddress.Loopback, key: Know2VecApp.ApiKey, headers: [("Sec-Fetch-Site", site)]);
        AssertProblem(page, StatusCodes.Status403Forbidden, "its own pages");

        var delete = await SendAsync(app, HttpMethods.Post, "/hangfire/jobs/enqueued/delete", IPAddress.Loopback,
            key: Know2VecApp.ApiKey, form: $"jobs[]={job}", headers: [("Sec-Fetch-Site", site)]);
        Assert.Equal(StatusCodes.Status403Forbidden, delete.Status);
        Assert.Equal(EnqueuedState.StateName, JobState(app, job));
    }

    [Fact]
    public async Task A_job_action_posted_from_another_origin_is_refused_even_with_the_key()
    {
        using var dir = new TestDirectory();
        await using var app = new Know2VecApp(dir, NoJobServer, environment: "Development");
        var job = QueueJob(app);

        // A browser without Sec-Fetch-Site still sends Origin with a POST.
        var delete = await SendAsync(app, HttpMethods.Post, "/hangfire/jobs/enqueued/delete", IPAddress.Loopback,
            key: Know2VecApp.ApiKey, form: $"jobs[]={job}", headers: [("Origin", "http://attacker.example")]);

        AssertProblem(delete, StatusCodes.Status403Forbidden, "its own pages");
        Assert.Equal(EnqueuedState.StateName, JobState(app, job));
    }

    /// <summary>Queues a real indexing job (of a zoo that does not exist; no server runs it).</summary>
    private static string QueueJob(Know2VecApp app)
    {
        _ = app.Server; // start the host
        var job = app.Services.GetRequiredService<IIndexingScheduler>().EnqueueIndexZoo("nothing-here");
        Assert.Equal(EnqueuedState.StateName, JobState(app, job));
        return job;
    }

    private static string? JobState(Know2VecApp app, string job)
    {
        using var connection = app.Services.GetRequiredService<JobStorage>().GetConnection();
        return connection.GetStateData(job)?.Name;
    }

    private static void AssertProblem(Answer answer, int status, string detailContains)
    {
        Assert.True(status == answer.Status, $"expected {status}, got {answer.Status}: {answer.Body}");
        Assert.Equal("application/problem+json", answer.ContentType);
        var problem = JsonDocument.Parse(answer.Body).RootElement;
        Assert.Equal(status, problem.GetProperty("status").GetInt32());
        Assert.Contains(detailContains, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    private sealed record Answer(int Status, string Body, string? ContentType, string WwwAuthenticate);

    private static async Task<Answer> SendAsync(
        Know2VecApp app, string method, string path, IPAddress? remote, string? key = null, string? form = null, (string Name, string Value)[]? headers = null)
    {
        var context = await app.Server.SendAsync(c =>
        {
            c.Request.Method = method;
            c.Request.Path = path;
            c.Request.Host = new HostString("know2vec.test");
            c.Connection.RemoteIpAddress = remote;
            c.Connection.LocalIpAddress = IPAddress.Parse("192.0.2.1"); // the server's own (non-loopback) address
            if (key is not null)
            {
                c.Request.Headers["X-Api-Key"] = key;
            }
            foreach (var (name, value) in headers ?? [])
            {
                c.Request.Headers[name] = value;
            }
            if (form is not null)
            {
                c.Request.ContentType = "application/x-www-form-urlencoded";
                c.Request.Body = new MemoryStream(Encoding.UTF8.GetBytes(form));
            }
        });
        using var reader = new StreamReader(context.Response.Body);
        var mediaType = context.Response.ContentType?.Split(';')[0];
        return new Answer(context.Response.StatusCode, await reader.ReadToEndAsync(), mediaType, context.Response.Headers.WWWAuthenticate.ToString());
    }
}
