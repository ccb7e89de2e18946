using System.Net;

namespace Know2Vec.Api.Tests;

/// <summary>
/// Admission control: beyond the queries that run and the ones that wait, a request is refused at
/// once with 429, Retry-After and a ProblemDetails, while liveness keeps answering.
/// </summary>
public sealed class AdmissionTests
{
    [Fact]
    public async Task A_burst_beyond_the_running_and_waiting_queries_is_refused_with_429_and_retry_after()
    {
        using var dir = new TestDirectory();
        await using var app = new Know2VecApp(dir, new Dictionary<string, string?>
        {
            ["Know2Vec:Admission:MaxConcurrent"] = "1",
            ["Know2Vec:Admission:QueueLength"] = "0",
            ["Know2Vec:Admission:RetryAfterSeconds"] = "7",
        });
        using var client = app.CreateClient();
        // Warm up the featurizer so that the burst measures admission, not start-up.
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("/queries", BenchmarkZoo.Query("fashion-mnist", ["bag"], perClass: 1))).StatusCode);

        // Six queries of 20 images each (seconds of featurizing on two cores), sent together.
        var burst = Enumerable.Range(0, 6)
            .Select(_ => client.PostAsync("/queries", BenchmarkZoo.Query("fashion-mnist", ["bag", "shirt"], perClass: 10)))
            .ToArray();
        var live = await client.GetAsync("/health/live");
        var responses = await Task.WhenAll(burst);

        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Contains(responses, r => r.StatusCode == HttpStatusCode.OK);
        var refused = responses.Where(r => r.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        Assert.NotEmpty(refused);
        Assert.All(refused, r => Assert.Equal(TimeSpan.FromSeconds(7), r.Headers.RetryAfter?.Delta));
        var problem = await TestData.AssertProblemAsync(refused[0], HttpStatusCode.TooManyRequests);
        Assert.Contains("Know2Vec:Admission", problem.GetProperty("detail").GetString());
    }
}
