using Know2Vec.Hosting;
using Know2Vec.Hosting.Health;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Know2Vec.Indexer;

/// <summary>
/// The worker host of distributed mode. <c>dotnet run --project Indexer</c> runs a Hangfire server
/// (Know2Vec:Jobs:WorkerCount workers) on the shared job store and serves only /health/live and
/// /health/ready; <c>dotnet run --project Indexer -- migrate</c> migrates the PostgreSQL schemas and exits.
/// </summary>
public static class WorkerProgram
{
    public static async Task<int> Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "migrate")
        {
            return await MigrateCommand.RunAsync(args[1..]);
        }

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = args, EnvironmentName = LaunchEnvironment.Resolve(args) });

        builder.Services.AddKnow2VecCore(builder.Configuration).AddKnow2VecWorker();   // the shared composition root, worker role
        builder.Services.AddKnow2VecHealthChecks(servesQueries: false);                // catalog and job store reachable

        var app = builder.Build();

        app.MapKnow2VecHealth();                                                          // /health/live, /health/ready

        await app.RunAsync();
        return 0;
    }
}
