using System.Net;
using Know2Vec.Hosting;

namespace Know2Vec.Api.Tests;

/// <summary>
/// One service per data directory: the lock is per open file, so two hosts in this process contend
/// for it as two processes would (tests/Distributed.Tests starts real processes and kills the holder).
/// </summary>
public sealed class DataDirectoryLockTests
{
    [Fact]
    public async Task A_second_service_on_the_same_data_directory_refuses_to_start_naming_the_holder()
    {
        using var dir = new TestDirectory();
        await using var first = new Know2VecApp(dir);
        using var client = first.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/zoos")).StatusCode);

        await using var second = new Know2VecApp(dir);
        var failure = Record.Exception(() => second.CreateClient());

        var inUse = Find<DataDirectoryInUseException>(failure);
        Assert.Contains($"in use by process {Environment.ProcessId} on host {Environment.MachineName}, started ", inUse.Message, StringComparison.Ordinal);
        Assert.Contains(dir.DataDirectory, inUse.Message, StringComparison.Ordinal);
        Assert.Contains("Know2Vec:DataDirectory", inUse.Message, StringComparison.Ordinal);
        Assert.Contains(second.Logs.Lines, line => line.StartsWith("Critical ", StringComparison.Ordinal) && line.Contains("is in use by process", StringComparison.Ordinal));

        // The first one is unharmed.
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/zoos")).StatusCode);
    }

    [Fact]
    public async Task The_lock_is_released_when_its_holder_stops()
    {
        using var dir = new TestDirectory();
        await using (var first = new Know2VecApp(dir))
        {
            using var client = first.CreateClient();
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/zoos")).StatusCode);
            Assert.True(File.Exists(Path.Combine(dir.DataDirectory, DataDirectoryLock.HolderFileName)));
        }

        Assert.False(File.Exists(Path.Combine(dir.DataDirectory, DataDirectoryLock.HolderFileName)));
        await using var second = new Know2VecApp(dir);
        using var again = second.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await again.GetAsync("/zoos")).StatusCode);
    }

    [Fact]
    public async Task Services_on_different_data_directories_run_side_by_side()
    {
        using var one = new TestDirectory();
        using var two = new TestDirectory();
        await using var first = new Know2VecApp(one);
        await using var second = new Know2VecApp(two);

        Assert.Equal(HttpStatusCode.OK, (await first.CreateClient().GetAsync("/zoos")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await second.CreateClient().GetAsync("/zoos")).StatusCode);
    }

    private static T Find<T>(Exception? exception)
        where T : Exception
    {
        for (var e = exception; e is not null; e = e.InnerException ?? (e as AggregateException)?.InnerExceptions.FirstOrDefault())
        {
            if (e is T found)
            {
                return found;
            }
        }
        throw new Xunit.Sdk.XunitException($"no {typeof(T).Name} in {exception}");
    }
}
