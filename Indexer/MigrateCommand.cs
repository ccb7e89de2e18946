using Know2Vec.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Know2Vec.Indexer;

/// <summary>
/// <c>migrate</c>: the deploy step of distributed mode. Reads the same configuration as the worker
/// (appsettings.json, environment, command line), migrates the PostgreSQL stores and exits; exit
/// code 0 on success, 1 on failure (so compose's <c>service_completed_successfully</c> gates the Api
/// and the workers on it).
/// </summary>
internal static class MigrateCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        var builder = Host.CreateApplicationBuilder(args);
        builder.Services.AddKnow2VecCore(builder.Configuration);
        using var host = builder.Build();
        try
        {
            foreach (var line in await Know2VecStorage.MigrateAsync(host.Services, CancellationToken.None))
            {
                Console.WriteLine(line);
            }
            return 0;
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"migrate failed: {e.GetType().Name}: {e.Message}");
            return 1;
        }
    }
}
