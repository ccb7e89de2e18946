using System.Text.Json;
using Hangfire;
using Know2Vec.Core.Catalog;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Know2Vec.Hosting;

/// <summary>The worker's only HTTP surface: liveness and readiness (catalog and job store answer).</summary>
public static class WorkerHealth
{
    private const string ReadyTag = "ready";

    public static IServiceCollection AddWorkerHealthChecks(this IServiceCollection services)
    {
        services.AddHealthChecks()
            .AddCheck<WorkerCatalogHealthCheck>("catalog", tags: [ReadyTag])
            .AddCheck<JobStoreHealthCheck>("jobs", tags: [ReadyTag]);
        return services;
    }

    public static IEndpointRouteBuilder MapWorkerHealth(this IEndpointRouteBuilder app)
    {
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = WriteAsync });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains(ReadyTag), ResponseWriter = WriteAsync });
        return app;
    }

    // Descriptions are our own; exception text is never sent.
    private static Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(JsonSerializer.Serialize(new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(
                e => e.Key,
                e => new { status = e.Value.Status.ToString(), description = e.Value.Description ?? (e.Value.Exception is null ? null : "check failed; see the worker log") }),
        }));
    }

    private sealed class WorkerCatalogHealthCheck(ICatalog catalog) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            var zoos = await catalog.ListZoosAsync(cancellationToken);
            return HealthCheckResult.Healthy($"{zoos.Count} zoos registered");
        }
    }

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
}
