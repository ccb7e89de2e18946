using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Xunit.Abstractions;

namespace Know2Vec.Distributed.Tests;

/// <summary>
/// The Api and two Indexer workers as real processes on PostgreSQL (catalog and Hangfire jobs):
/// both workers take jobs, every model is indexed exactly once, and a worker killed in the middle
/// of a job loses nothing — the job is taken over by the other worker once its invisibility
/// timeout passes. The vectors are the trained alignment's, and the query task's strong model ranks
/// first. Waits are liveness bounds polled on events (job states, zoo status), generous for a
/// loaded 2-core machine; none is a measurement.
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
    public async Task TwoWorkers_index_every_model_once_and_a_killed_workers_job_is_taken_over_by_the_other()
    {
        await using var deployment = DistributedDeployment.Create();
        var migrate = await deployment.MigrateAsync();
        Assert.Contains("migrated from version 0", migrate);

        var workerA = deployment.StartWorker("worker-a");
        var workerB = deployment.StartWorker("worker-b");
        var api = deployment.StartApi();
        try
        {
            await Task.WhenAll(workerA.WaitReadyAsync(TimeSpan.FromMinutes(2)), workerB.WaitReadyAsync(TimeSpan.FromMinutes(2)), api.WaitReadyAsync(TimeSpan.FromMinutes(2)));
            using var client = DistributedDeployment.Client(api);
            var zooId = await DistributedDeployment.RegisterAsync(client, DistributedDeployment.Manifest("e2e", Models));

            // Kill worker A while it is in the middle of a probe (after it finished at least one), the way
            // a crashed or evicted container stops: no graceful shutdown, its job stays fetched.
            var killedAt = await KillWhileProcessingAsync(deployment, workerA, TimeSpan.FromMinutes(4));
            var orphans = (await deployment.ProbeJobsAsync())
                .Where(j => j.State == "Processing" && j.ProcessedBy.LastOrDefault() == workerA.Pid)
                .Select(j => j.Id)
                .ToArray();
            output.WriteLine($"killed worker A (pid {workerA.Pid}) after {killedAt.TotalSeconds:F1} s with {orphans.Length} job(s) in flight: {string.Join(", ", orphans)}");
            Assert.NotEmpty(orphans);

            // Everything finishes on worker B, the orphan after the invisibility timeout (30 s).
            var status = await WaitForZooAsync(client, zooId, TimeSpan.FromMinutes(5), deployment, workerB);
            Assert.Equal(Models.Length, (int)status["indexed"]!);
            Assert.Equal(0, (int)status["failed"]!);

            var jobs = await deployment.FinishedProbeJobsAsync(TimeSpan.FromMinutes(1));
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
            // Made by the trained alignment, not a silent zero-shot fall-back.
            var trained = DistributedDeployment.TrainedAlignmentVersion();
            Assert.All(points, p => Assert.Equal(trained, p.Alignment));

            // And the Api serves them: a fresh Api process loads the shared vectors and ranks the models.
            api.Kill();
            var api2 = deployment.StartApi();
            await api2.WaitReadyAsync(TimeSpan.FromMinutes(2));
            // The Api encodes queries with the same alignment (it names it when it starts).
            Assert.Contains($"alignment {trained},", api2.Output, StringComparison.Ordinal);
            using var client2 = DistributedDeployment.Client(api2);
            var results = await QueryAsync(client2, ["sandal", "shirt", "bag", "ankle-boot"]);
            Assert.Equal(Models.Length, results.Count);
            // The query task's two models first, its strongly trained one on top.
            Assert.Equal(["fashion-5-6-8-9-mlp-small-a", "fashion-5-6-8-9-cnn-small-c"], results.Take(2).Select(r => (string)r!["name"]!));
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

    /// <summary>
    /// Kills <paramref name="worker"/> while it has a probe job in flight, after it finished at least one.
    /// No race with the job's end: the worker is frozen first, its job state read again, and it is
    /// killed only if the job is still its own and unfinished; otherwise it runs on and the next job is tried.
    /// </summary>
    private static async Task<TimeSpan> KillWhileProcessingAsync(DistributedDeployment deployment, ServiceProcess worker, TimeSpan timeout)
    {
        bool InFlight(IReadOnlyList<ProbeJob> jobs) => jobs.Any(j => j.State == "Processing" && j.ProcessedBy.LastOrDefault() == worker.Pid);

        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            var jobs = await deployment.ProbeJobsAsync();
            var finished = jobs.Count(j => j.State == "Succeeded" && j.ProcessedBy.LastOrDefault() == worker.Pid);
            if (finished >= 1 && InFlight(jobs))
            {
                worker.Pause();
                // Statements it sent before the pause complete within moments; it can send no new one.
                await Task.Delay(TimeSpan.FromSeconds(1));
                if (InFlight(await deployment.ProbeJobsAsync()))
                {
                    worker.Kill();
                    return clock.Elapsed;
                }
                worker.Resume(); // it finished that job just before the pause: wait for its next one
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
