using System.Text.Json;
using Know2Vec.Core.Catalog;
using Know2Vec.Core.Featurization;
using Know2Vec.Core.Inference;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Know2Vec.Api.Features.Health;

/// <summary>
/// Liveness (the process answers) and readiness (the catalog answers and the featurizer is loaded,
/// so queries can be served). Readiness also names the active ONNX execution provider.
/// </summary>
public static class HealthApi
{
    public const string ReadyTag = "ready";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = false };

    public static IEndpointRouteBuilder MapHealthApi(this IEndpointRouteBuilder app)
    {
        app.MapHealthChecks("/health/live", new HealthCheckOptions
        {
            Predicate = _ => false, // no dependency checks: alive means the process serves requests
            ResponseWriter = WriteAsync,
        }).WithTags("Health");
        app.MapHealthChecks("/health/ready", new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains(ReadyTag),
            ResponseWriter = WriteAsync,
        }).WithTags("Health");
        return app;
    }

    // Descriptions are written by our checks; exception text (HealthReportEntry.Exception) is never sent.
    private static Task WriteAsync(HttpContext context, HealthReport report)
    {
        var provider = context.RequestServices.GetRequiredService<OnnxSessionFactory>().ActiveProvider;
        var body = new HealthResponse(
            report.Status.ToString(),
            provider,
            report.Entries.ToDictionary(
                e => e.Key,
                e => new HealthCheckResponse(e.Value.Status.ToString(), e.Value.Description ?? (e.Value.Exception is null ? null : "check failed; see the server log"))));
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(JsonSerializer.Serialize(body, Json));
    }
}

/// <summary>Health of the service.</summary>
/// <param name="Status">Healthy, Degraded or Unhealthy.</param>
/// <param name="Provider">ONNX Runtime execution provider in use: CPU or CUDA.</param>
/// <param name="Checks">Each dependency check (readiness only).</param>
public sealed record HealthResponse(string Status, string Provider, IReadOnlyDictionary<string, HealthCheckResponse> Checks);

/// <summary>One dependency check.</summary>
public sealed record HealthCheckResponse(string Status, string? Description);

/// <summary>The catalog answers a read.</summary>
internal sealed class CatalogHealthCheck(ICatalog catalog) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var zoos = await catalog.ListZoosAsync(cancellationToken);
        return HealthCheckResult.Healthy($"{zoos.Count} zoos registered");
    }
}

/// <summary>The featurizer is loaded (the first check loads it: a few hundred milliseconds).</summary>
internal sealed class FeaturizerHealthCheck(IServiceProvider services) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var featurizer = services.GetRequiredService<IFeaturizer>();
        var provider = services.GetRequiredService<OnnxSessionFactory>().ActiveProvider;
        return Task.FromResult(HealthCheckResult.Healthy($"{featurizer.Dimension}-d featurizer loaded on {provider}"));
    }
}
