using System.Net;
using Microsoft.AspNetCore.Http;

namespace Know2Vec.Api.Tests;

/// <summary>
/// Who may open the Hangfire dashboard (it can re-run and delete jobs): requests from this machine
/// only. The test server lets a test set the connection's remote address, as Kestrel would.
/// </summary>
public sealed class HangfireDashboardTests
{
    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("::1")]
    public async Task A_local_request_gets_the_dashboard(string remote)
    {
        using var dir = new TestDirectory();
        await using var app = new Know2VecApp(dir);

        var (status, body) = await GetDashboardAsync(app, IPAddress.Parse(remote));

        Assert.Equal(StatusCodes.Status200OK, status);
        Assert.Contains("Know2Vec jobs", body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("203.0.113.7")]
    [InlineData("10.0.0.12")]
    [InlineData(null)] // address unknown
    public async Task A_request_from_elsewhere_does_not_get_the_dashboard(string? remote)
    {
        using var dir = new TestDirectory();
        await using var app = new Know2VecApp(dir);

        var (status, body) = await GetDashboardAsync(app, remote is null ? null : IPAddress.Parse(remote));

        Assert.Equal(StatusCodes.Status401Unauthorized, status);
        Assert.DoesNotContain("Know2Vec jobs", body, StringComparison.Ordinal);
    }

    private static async Task<(int Status, string Body)> GetDashboardAsync(Know2VecApp app, IPAddress? remote)
    {
        var context = await app.Server.SendAsync(c =>
        {
            c.Request.Method = HttpMethods.Get;
            c.Request.Path = "/hangfire";
            c.Connection.RemoteIpAddress = remote;
            c.Connection.LocalIpAddress = IPAddress.Parse("192.0.2.1"); // the server's own (non-loopback) address
        });
        using var reader = new StreamReader(context.Response.Body);
        return (context.Response.StatusCode, await reader.ReadToEndAsync());
    }
}
