using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Xunit.Abstractions;

namespace Know2Vec.Distributed.Tests;

/// <summary>
/// The Api and two Indexer workers as real processes on PostgreSQL (catalog and Hangfire jobs):
/// both workers take jobs, every model is indexed exactly once, and a worker killed in the middle
/// of a job loses nothing — the job is taken over by the other worker once its invisibility
/// timeout passes.
/// </summary>
[Trait("Category", "PostgreSql")]
public sealed class TwoWorkerEndToEndTests(ITestOutputHelper output)
{
    /// <summary>8 benchmark models of the demo zoo: enough for both workers to take several jobs, few enough for CI.</summary>
    private static readonly string[] Models =
    [
        "fashion-2-4-6-mlp-small-a", "fashion-2-4-6-cnn-small-c", "fashion-5-6-8-9-mlp-small-a", "fashion-5-6-8-9-cnn-small-c",
        "fashion-0-1-3-7-8-mlp-wide-a", "digits-3-5-9-mlp-small-a", "digits-3-4-6-cnn-small-a", "digits-4-7-mlp-small-b",
    ];

    [PostgresFact]
    public async Task TwoWorkers_IndexEveryModelOnce_AndAKilledWorkersJobIsTakenOverByTheOther()
    {
        await using var deployment = DistributedDeployment.Create();
        var migrate = await deployment.MigrateAsync();
        Assert.Contains("migrated from version 0", migrate);

        var workerA = deployment.StartWorker("worker-a");
        var workerB = deployment.StartWorker("worker-b");
        var api = deployment.StartApi();
        try
        {
            await Task.WhenAll(workerA.WaitReadyAsync(TimeSpan.FromSeconds(60)), workerB.WaitReadyAsync(TimeSpan.FromSeconds(60)), api.WaitReadyAsync(TimeSpan.FromSeconds(60)));
            using var client = DistributedDeployment.Client(api);
            var zooId = await DistributedDeployment.RegisterAsync(client, DistributedDeployment.Manifest("e2e", Models));

            // Kill worker A while it is in the middle of a probe (after it finished at least one), the way
            // a crashed or evicted container stops: no graceful shutdown, its job stays fetched.
            var killedAt = await KillWhileProcessingAsync(deployment, workerA, TimeSpan.FromSeconds(120));
            var orphans = (await deployment.ProbeJobsAsync())
                .Where(j => j.State == "Processing" && j.ProcessedBy.LastOrDefault() == workerA.Pid)
                .Select(j => j.Id)
                .ToArray();
            output.WriteLine($"killed worker A (pid {workerA.Pid}) after {killedAt.TotalSeconds:F1} s with {orphans.Length} job(s) in flight: {string.Join(", ", orphans)}");
            Assert.NotEmpty(orphans);

            // Everything finishes on worker B, the orphan after the invisibility timeout (10 s).
            var status = await WaitForZooAsync(client, zooId, TimeSpan.FromSeconds(120), deployment, workerB);
            Assert.Equal(Models.Length, (int)status["indexed"]!);
            Assert.Equal(0, (int)status["failed"]!);

            var jobs = await deployment.FinishedProbeJobsAsync(TimeSpan.FromSeconds(30));
            foreach (var job in jobs)
            {
                output.WriteLine($"job {job.Id} {job.ModelId}: {string.Join(" -> ", job.States.Select(s => s.ServerId is null ? s.Name : $"{s.Name}@{ProbeJob.ServerPid(s.ServerId)}"))}");
            }
            // Exactly once: one job per model, each succeeded exactly once.
            Assert.Equal(Models.Select(m => $"{zooId}:{m}").Order(StringComparer.Ordinal), jobs.Select(j => j.ModelId).Order(StringComparer.Ordinal));
            Assert.All(jobs, j => Assert.Equal("Succeeded", j.State));
            Assert.All(jobs, j => Assert.Single(j.States, s => s.Name == "Succeeded"));
            // Both workers took jobs.
            var succeededBy = jobs.Select(j => j.ProcessedBy.Last()).ToArray();
            Assert.Contains(workerA.Pid, succeededBy);
            Assert.Contains(workerB.Pid, succeededBy);
            // The killed worker's job was retried by the other, not lost.
            foreach (var orphan in orphans)
            {
                var job = jobs.Single(j => j.Id == orphan);
                Assert.Equal([workerA.Pid, workerB.Pid], job.ProcessedBy.TakeLast(2));
            }

            // What the workers wrote: one knowledge tensor per model in PostgreSQL, one vector per model in the shared store.
            Assert.Equal(Models.Length, await deployment.KnowledgeRowsAsync());
            var points = deployment.VectorPoints();
            Assert.Equal(Models.Select(m => $"{zooId}:{m}").Order(StringComparer.Ordinal), points.Select(p => p.ModelId));
            Assert.Single(points.Select(p => p.Alignment).Distinct());

            // And the Api serves them: a fresh Api process loads the shared vectors and ranks the models.
            api.Kill();
            var api2 = deployment.StartApi();
            await api2.WaitReadyAsync(TimeSpan.FromSeconds(60));
            using var client2 = DistributedDeployment.Client(api2);
            var results = await QueryAsync(client2, ["sandal", "shirt", "bag", "ankle-boot"]);
            Assert.Equal(Models.Length, results.Count);
            Assert.Contains(results.Take(2), r => ((string)r!["name"]!).StartsWith("fashion-5-6-8-9-", StringComparison.Ordinal));
        }
        catch
        {
            foreach (var process in new[] { workerA, workerB, api })
            {
                output.WriteLine($"---- {process.Name} (pid {process.Pid}) ----\n{process.Output}");
            }
            throw;
        }
    }

    private static async Task<TimeSpan> KillWhileProcessingAsync(DistributedDeployment deployment, ServiceProcess worker, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            var jobs = await deployment.ProbeJobsAsync();
            var finished = jobs.Count(j => j.State == "Succeeded" && j.ProcessedBy.LastOrDefault() == worker.Pid);
            var running = jobs.Any(j => j.State == "Processing" && j.ProcessedBy.LastOrDefault() == worker.Pid);
            if (finished >= 1 && running)
            {
                worker.Kill();
                return clock.Elapsed;
            }
            if (jobs.Count > 0 && jobs.All(j => j.State == "Succeeded"))
            {
                throw new InvalidOperationException("Every job finished before the worker could be killed mid-job.");
            }
            await Task.Delay(50);
        }
        throw new TimeoutException($"{worker.Name} never had a job in flight after finishing one.");
    }

    private static async Task<JsonNode> WaitForZooAsync(HttpClient client, string zooId, TimeSpan timeout, DistributedDeployment deployment, ServiceProcess worker)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var status = await DistributedDeployment.ZooStatusAsync(client, zooId);
            if ((int)status["pending"]! == 0 && (int)status["indexing"]! == 0)
            {
                return status;
            }
            if (clock.Elapsed > timeout || worker.HasExited)
            {
                var jobs = await deployment.ProbeJobsAsync();
                throw new TimeoutException($"Zoo {zooId} not indexed: {status.ToJsonString()}; jobs: {string.Join("; ", jobs.Select(j => $"{j.ModelId}={j.State}"))}");
            }
            await Task.Delay(250);
        }
    }

    private static async Task<JsonArray> QueryAsync(HttpClient client, string[] classes)
    {
        using var form = new MultipartFormDataContent();
        foreach (var label in classes)
        {
            foreach (var file in Directory.GetFiles(Path.Combine(RepoPaths.ZooManifests, "samples", "fashion-mnist", label), "*.png").Order(StringComparer.Ordinal).Take(5))
            {
                var image = new ByteArrayContent(await File.ReadAllBytesAsync(file));
                image.Headers.ContentType = new MediaTypeHeaderValue("image/png");
                form.Add(image, "images", Path.GetFileName(file));
                form.Add(new StringContent(label), "labels");
            }
        }
        form.Add(new StringContent("20"), "topK");
        using var response = await client.PostAsync("/queries", form);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"POST /queries: {(int)response.StatusCode} {body}");
        return JsonNode.Parse(body)!["results"]!.AsArray();
    }
}
