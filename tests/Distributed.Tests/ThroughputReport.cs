using System.Diagnostics;
using System.Globalization;
using Xunit.Abstractions;

namespace Know2Vec.Distributed.Tests;

/// <summary>
/// Indexing throughput of the demo zoo (21 models) with 1 and then 2 worker processes (one Hangfire
/// worker each), in one run, on PostgreSQL. A measurement, not a check: nothing is asserted about
/// the times. Run it with tools/distributed/measure-throughput.sh (it sets KNOW2VEC_MEASURE_THROUGHPUT);
/// CI skips it to stay fast.
/// </summary>
[Trait("Category", "PostgreSql")]
[Trait("Category", "Measurement")]
public sealed class ThroughputReport(ITestOutputHelper output)
{
    public const string Variable = "KNOW2VEC_MEASURE_THROUGHPUT";

    [MeasurementFact]
    public async Task DemoZoo_OneVersusTwoWorkers()
    {
        var lines = new List<string> { $"Demo zoo indexing throughput on {Environment.ProcessorCount} cores, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC" };
        foreach (var workers in new[] { 1, 2 })
        {
            var (models, total, firstIndexed) = await MeasureAsync(workers);
            var steady = (models - 1) / (total - firstIndexed).TotalMinutes;
            lines.Add(string.Create(CultureInfo.InvariantCulture,
                $"{workers} worker process(es): {models} models in {total.TotalSeconds:F1} s = {models / total.TotalMinutes:F1} models/min " +
                $"(first model after {firstIndexed.TotalSeconds:F1} s incl. featurizer load; after it {steady:F1} models/min)"));
        }
        foreach (var line in lines)
        {
            output.WriteLine(line);
        }
        var report = Path.Combine(RepoPaths.Root, "tests", "Distributed.Tests", "bin", "throughput.txt");
        await File.WriteAllLinesAsync(report, lines);
        output.WriteLine($"written to {report}");
    }

    private static async Task<(int Models, TimeSpan Total, TimeSpan FirstIndexed)> MeasureAsync(int workerProcesses)
    {
        await using var deployment = DistributedDeployment.Create();
        await deployment.MigrateAsync();
        var workers = Enumerable.Range(0, workerProcesses).Select(i => deployment.StartWorker($"worker-{i}", workerCount: 1)).ToArray();
        var api = deployment.StartApi();
        await Task.WhenAll(workers.Select(w => w.WaitReadyAsync(TimeSpan.FromSeconds(60))).Append(api.WaitReadyAsync(TimeSpan.FromSeconds(60))));
        using var client = DistributedDeployment.Client(api);

        var clock = Stopwatch.StartNew();
        var zooId = await DistributedDeployment.RegisterAsync(client, DistributedDeployment.Manifest("throughput"));
        TimeSpan? firstIndexed = null;
        while (true)
        {
            var status = await DistributedDeployment.ZooStatusAsync(client, zooId);
            if (firstIndexed is null && (int)status["indexed"]! > 0)
            {
                firstIndexed = clock.Elapsed;
            }
            if ((int)status["pending"]! == 0 && (int)status["indexing"]! == 0)
            {
                return ((int)status["total"]!, clock.Elapsed, firstIndexed ?? clock.Elapsed);
            }
            if (clock.Elapsed > TimeSpan.FromMinutes(10))
            {
                throw new TimeoutException($"not indexed after 10 minutes: {status.ToJsonString()}");
            }
            await Task.Delay(100);
        }
    }
}

/// <summary>Runs only when asked (KNOW2VEC_MEASURE_THROUGHPUT=1) and PostgreSQL is there; skipped with the reason otherwise.</summary>
public sealed class MeasurementFactAttribute : FactAttribute
{
    public MeasurementFactAttribute()
    {
        if (Environment.GetEnvironmentVariable(ThroughputReport.Variable) != "1")
        {
            Skip = $"a measurement: set {ThroughputReport.Variable}=1 (tools/distributed/measure-throughput.sh does) to run it";
        }
        else if (string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(PostgresFactAttribute.Variable)))
        {
            Skip = $"{PostgresFactAttribute.Variable} is not set";
        }
    }
}
