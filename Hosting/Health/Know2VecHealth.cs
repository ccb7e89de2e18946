using System.Text.Json;
using Hangfire;
using Know2Vec.Core.Catalog;
using Know2Vec.Core.Featurization;
using Know2Vec.Core.Inference;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Know2Vec.Hosting.Health;

/// <summary>
/// The health endpoints of both hosts: liveness (the process answers, no dependency is checked) and
/// readiness (the catalog and the job store answer; on the Api also the featurizer is loaded, so
/// queries can be served). Both name the active ONNX execution provider.
/// </summary>
public static class Know2VecHealth
{
    public const string ReadyTag = "ready";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Readiness checks: catalog and job store, and the featurizer when this host serves queries.</summary>
    public static IServiceCollection AddKnow2VecHealthChecks(this IServiceCollection services, bool servesQueries)
    {
        var checks = services.AddHealthChecks()
            .AddCheck<CatalogHealthCheck>("catalog", tags: [ReadyTag])
            .AddCheck<JobStoreHealthCheck>("jobs", tags: [ReadyTag]);
        if (servesQueries)
        {
            checks.AddCheck<FeaturizerHealthCheck>("featurizer", tags: [ReadyTag]);
        }

        return services;
    }

    /// <summary>Maps <c>/health/live</c> and <c>/health/ready</c>.</summary>
    public static IEndpointRouteBuilder MapKnow2VecHealth(this IEndpointRouteBuilder app)
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

    /// <summary>The catalog answers a read.</summary>
    private sealed class CatalogHealthCheck(ICatalog catalog) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            var zoos = await catalog.ListZoosAsync(cancellationToken);
            return HealthCheckResult.Healthy($"{zoos.Count} zoos registered");
        }
    }

    /// <summary>The job store answers.</summary>
    private sealed class JobStoreHealthCheck(JobStorage storage) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            var monitoring = storage.GetMonitoringApi();
            var servers = monitoring.Servers().Count;
            var enqueued = monitoring.EnqueuedCount("default");
            return Task.FromResult(HealthCheckResult.Healthy($"{servers} job servers, {enqueued} jobs queued"));
        }
    }

    /// <summary>The featurizer is loaded (the first check loads it: a few hundred milliseconds).</summary>
    private sealed class FeaturizerHealthCheck(IServiceProvider services) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            var featurizer = services.GetRequiredService<IFeaturizer>();
            var provider = services.GetRequiredService<OnnxSessionFactory>().ActiveProvider;
            return Task.FromResult(HealthCheckResult.Healthy($"{featurizer.Dimension}-d featurizer loaded on {provider}"));
        }
    }
}

/// <summary>Health of the service.</summary>
/// <param name="Status">Healthy, Degraded or Unhealthy.</param>
/// <param name="Provider">ONNX Runtime execution provider in use: CPU or CUDA.</param>
/// <param name="Checks">Each dependency check (readiness only).</param>
public sealed record HealthResponse(string Status, string Provider, IReadOnlyDictionary<string, HealthCheckResponse> Checks);

/// <summary>One dependency check.</summary>
public sealed record HealthCheckResponse(string Status, string? Description);
