using System.Net;
using Hangfire.Dashboard;
using Microsoft.Extensions.Options;

namespace Know2Vec.Api.Hosting;

/// <summary>What a request may do on the Hangfire dashboard.</summary>
internal enum DashboardAccess
{
    /// <summary>Nothing: the request is answered with a ProblemDetails.</summary>
    Refused,

    /// <summary>Look: pages only, no job actions (Hangfire's read-only mode).</summary>
    ReadOnly,

    /// <summary>Look and act: re-queue, delete, trigger jobs.</summary>
    Full,
}

/// <summary>
/// Who gets <c>/hangfire</c> (it can re-queue and delete jobs, and shows job arguments and errors):
/// <list type="bullet">
/// <item>a request from another site (<c>Sec-Fetch-Site: cross-site</c> or <c>same-site</c>, or an
/// unsafe method whose <c>Origin</c> is another host) is refused with 403, whatever it carries — so
/// a page elsewhere can never drive the dashboard, not even through a proxy or browser extension
/// that adds the key;</item>
/// <item>a request with <c>X-Api-Key</c> equal to <c>Know2Vec:ApiKey</c> gets the full dashboard;</item>
/// <item>in Development, a request from this machine without a key gets it read-only (a browser
/// cannot send the header: this is how the demo is watched);</item>
/// <item>everything else is refused with 401 (a wrong key, a request from elsewhere, any request
/// without the key outside Development, and every request outside Development when no key is
/// configured).</item>
/// </list>
/// </summary>
internal sealed class HangfireDashboardAccess(IOptionsMonitor<ApiOptions> options, IHostEnvironment environment)
{
    public const string Path = "/hangfire";

    private static readonly object DecisionKey = new();

    /// <summary>The decision for this request, with the problem to answer when it is refused.</summary>
    public (DashboardAccess Access, int Status, string Title, string Detail) Decide(HttpContext context)
    {
        if (context.Items.TryGetValue(DecisionKey, out var cached) && cached is ValueTuple<DashboardAccess, int, string, string> decided)
        {
            return decided;
        }

        var decision = DecideUncached(context);
        context.Items[DecisionKey] = decision;
        return decision;
    }

    private (DashboardAccess, int, string, string) DecideUncached(HttpContext context)
    {
        var request = context.Request;
        if (IsCrossSite(request))
        {
            return (DashboardAccess.Refused, StatusCodes.Status403Forbidden, "Cross-site request refused",
                "The job dashboard only answers requests made from its own pages or typed into the address bar.");
        }

        var configured = options.CurrentValue.ApiKey;
        var sent = request.Headers[ApiKeyEndpointFilter.HeaderName];
        if (sent.Count > 0)
        {
            return !string.IsNullOrEmpty(configured) && sent.Count == 1 && ApiKeyEndpointFilter.FixedTimeEquals(sent[0], configured)
                ? (DashboardAccess.Full, StatusCodes.Status200OK, "", "")
                : (DashboardAccess.Refused, StatusCodes.Status401Unauthorized, "API key required",
                    "The X-Api-Key header does not match the configured API key.");
        }

        if (environment.IsDevelopment() && IsLocal(context.Connection))
        {
            return (DashboardAccess.ReadOnly, StatusCodes.Status200OK, "", "");
        }

        return (DashboardAccess.Refused, StatusCodes.Status401Unauthorized, "API key required",
            string.IsNullOrEmpty(configured)
                ? "The job dashboard is closed: no API key is configured. Set Know2Vec:ApiKey (e.g. the environment variable "
                    + "Know2Vec__ApiKey) and send it in the X-Api-Key header."
                : "The job dashboard needs the configured API key in the X-Api-Key header (from a browser: through a "
                    + "reverse proxy that adds it).");
    }

    /// <summary>Browsers say where a request comes from (Sec-Fetch-Site); older ones at least send Origin on unsafe methods.</summary>
    private static bool IsCrossSite(HttpRequest request)
    {
        var site = request.Headers["Sec-Fetch-Site"].ToString();
        if (site.Equals("cross-site", StringComparison.OrdinalIgnoreCase) || site.Equals("same-site", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        if (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method))
        {
            return false;
        }
        var origin = request.Headers.Origin.ToString();
        return origin.Length > 0
            && (!Uri.TryCreate(origin, UriKind.Absolute, out var uri)
                || !string.Equals(uri.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>Hangfire's own rule for a local request: from a loopback address, or from the server's own address.</summary>
    private static bool IsLocal(ConnectionInfo connection) =>
        connection.RemoteIpAddress is { } remote
        && (IPAddress.IsLoopback(remote) || remote.Equals(connection.LocalIpAddress));
}

/// <summary>Hangfire's side of <see cref="HangfireDashboardAccess"/>: the dashboard opens only for requests it let through.</summary>
internal sealed class HangfireDashboardAuthorization(HangfireDashboardAccess access) : IDashboardAuthorizationFilter
{
    public bool Authorize(DashboardContext context) =>
        access.Decide(context.GetHttpContext()).Access != DashboardAccess.Refused;
}
