using Hangfire;
using Hangfire.Common;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Know2Vec.Hosting;

/// <summary>
/// Runs a Hangfire job server in this process when <see cref="JobOptions.RunServer"/> says so
/// (embedded mode). Hangfire's AddHangfireServer cannot be switched by options that are only read at
/// start, hence this small host. Everything comes from this container, not Hangfire's statics.
/// </summary>
internal sealed partial class JobServerHost(
    IServiceProvider services,
    IOptions<Know2VecOptions> options,
    ILogger<JobServerHost> logger) : IHostedService, IDisposable
{
    private BackgroundJobServer? _server;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var jobs = options.Value.Jobs;
        if (!jobs.RunServer)
        {
            LogNoServer(logger);
            return Task.CompletedTask;
        }

        // Resolving it runs the AddHangfire callback (serializer settings, log provider) before any job runs.
        services.GetRequiredService<IGlobalConfiguration>();
        var serverOptions = new BackgroundJobServerOptions
        {
            WorkerCount = jobs.WorkerCount,
            ShutdownTimeout = jobs.ShutdownTimeout,
            StopTimeout = jobs.ShutdownTimeout,
            // Retries are scheduled jobs: look for due ones more often than the 15 s default.
            SchedulePollingInterval = TimeSpan.FromSeconds(5),
            Activator = services.GetRequiredService<JobActivator>(),
            FilterProvider = services.GetService<IJobFilterProvider>() ?? JobFilterProviders.Providers,
        };
        _server = new BackgroundJobServer(serverOptions, services.GetRequiredService<JobStorage>());
        LogServerStarted(logger, jobs.WorkerCount);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_server is null)
        {
            return;
        }
        _server.SendStop();
        await _server.WaitForShutdownAsync(cancellationToken);
    }

    public void Dispose() => _server?.Dispose();

    [LoggerMessage(Level = LogLevel.Information, Message = "Job server started in this process with {Workers} workers")]
    private static partial void LogServerStarted(ILogger logger, int workers);

    [LoggerMessage(Level = LogLevel.Information, Message = "Job server disabled (Know2Vec:Jobs:RunServer = false): jobs are queued for external workers")]
    private static partial void LogNoServer(ILogger logger);
}
