using Microsoft.Extensions.Options;

namespace Know2Vec.Api.Hosting;

/// <summary>
/// Says once, at start, who may write (register and delete zoos, change jobs on /hangfire): with no
/// API key configured, nobody outside Development (<see cref="ApiKeyEndpointFilter"/>) — the service
/// still serves reads and queries, and the log says how to enable writes.
/// </summary>
internal sealed partial class WriteAccessNotice(
    IOptions<ApiOptions> options,
    IHostEnvironment environment,
    ILogger<WriteAccessNotice> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (!string.IsNullOrEmpty(options.Value.ApiKey))
        {
            LogKeyConfigured(logger, ApiKeyEndpointFilter.HeaderName);
        }
        else if (environment.IsDevelopment())
        {
            LogOpenInDevelopment(logger);
        }
        else
        {
            LogWritesDisabled(logger, environment.EnvironmentName);
        }
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Writes (POST and DELETE /zoos, job actions on /hangfire) need the API key in the {Header} header")]
    private static partial void LogKeyConfigured(ILogger logger, string header);

    [LoggerMessage(Level = LogLevel.Warning, Message = "No API key is configured: writes are open to every client because the environment is Development; "
        + "set Know2Vec:ApiKey before exposing this port")]
    private static partial void LogOpenInDevelopment(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Writes are disabled: no API key is configured and the environment is {Environment}. "
        + "Reads and queries are served; registering and deleting zoos is refused (403) and /hangfire is closed. "
        + "To enable them, set Know2Vec:ApiKey (e.g. the environment variable Know2Vec__ApiKey) and send it in the X-Api-Key header")]
    private static partial void LogWritesDisabled(ILogger logger, string environment);
}
