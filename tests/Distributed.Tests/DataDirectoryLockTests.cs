namespace Know2Vec.Distributed.Tests;

/// <summary>
/// One process per embedded data directory, with real processes: a second Api or an embedded worker
/// on the directory of a running Api exits at once naming it, and a holder killed with SIGKILL (no
/// shutdown code runs) leaves no lock behind. No PostgreSQL needed.
/// </summary>
public sealed class DataDirectoryLockTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "know2vec-lock-tests", Guid.NewGuid().ToString("N")[..12]);

    private Dictionary<string, string> Environment() => new()
    {
        ["DOTNET_ENVIRONMENT"] = "Production",
        ["ASPNETCORE_ENVIRONMENT"] = "Production",
        ["Know2Vec__BaseDirectory"] = RepoPaths.Root,
        ["Know2Vec__DataDirectory"] = Path.Combine(_directory, "data"),
        ["Know2Vec__ZooRoot"] = RepoPaths.ZooManifests,
        ["Know2Vec__SeedManifests__0"] = "",
        ["Know2Vec__ApiKey"] = "lock-test-key",
        ["Logging__LogLevel__Default"] = "Warning",
        ["Logging__Console__FormatterName"] = "simple",
    };

    public void Dispose()
    {
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Fact]
    public async Task A_second_process_on_an_embedded_data_directory_exits_naming_the_holder_and_a_killed_holder_leaves_no_lock()
    {
        using var first = ServiceProcess.Start("api-1", RepoPaths.ApiDll, Environment());
        await first.WaitReadyAsync(TimeSpan.FromMinutes(2));
        var holder = $"in use by process {first.Pid} on host {System.Environment.MachineName}, started ";

        var (apiExit, apiOutput) = await ServiceProcess.RunAsync(RepoPaths.ApiDll, Environment(), TimeSpan.FromMinutes(2));
        Assert.True(apiExit != 0, $"a second Api started:\n{apiOutput}");
        Assert.Contains(holder, apiOutput, StringComparison.Ordinal);

        var (workerExit, workerOutput) = await ServiceProcess.RunAsync(RepoPaths.IndexerDll, Environment(), TimeSpan.FromMinutes(2));
        Assert.True(workerExit != 0, $"an embedded worker started beside the Api:\n{workerOutput}");
        Assert.Contains(holder, workerOutput, StringComparison.Ordinal);

        first.Kill();
        using var next = ServiceProcess.Start("api-2", RepoPaths.ApiDll, Environment());
        await next.WaitReadyAsync(TimeSpan.FromMinutes(2));
    }
}
