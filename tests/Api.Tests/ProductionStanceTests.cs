using System.Net;
using System.Text.Json;
using Know2Vec.Hosting;

namespace Know2Vec.Api.Tests;

/// <summary>
/// The environment a user sets is the one that runs, and outside Development the service without an
/// API key serves reads and queries, refuses writes and says so once at start.
/// </summary>
public sealed class ProductionStanceTests
{
    [Fact]
    public async Task Production_without_a_key_serves_reads_and_queries_refuses_writes_and_says_so_once_at_start()
    {
        using var dir = new TestDirectory();
        await using var app = new Know2VecApp(dir, new Dictionary<string, string?> { ["Know2Vec:ApiKey"] = "" }, environment: "Production");
        using var client = app.CreateClient();

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/zoos")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/ready")).StatusCode);
        var answer = await TestData.ReadJsonAsync(
            await client.PostAsync("/queries", BenchmarkZoo.Query("fashion-mnist", ["sandal", "shirt"], perClass: 2)), HttpStatusCode.OK);
        Assert.Equal(JsonValueKind.Array, answer.GetProperty("results").ValueKind);

        TestData.WriteFile(dir.ZooRoot, "a.onnx");
        var write = await client.PostAsync("/zoos", TestData.Json(TestData.Manifest("open", TestData.Model("m", "a.onnx"))));
        await TestData.AssertProblemAsync(write, HttpStatusCode.Forbidden);
        await TestData.AssertProblemAsync(await client.GetAsync("/hangfire"), HttpStatusCode.Unauthorized);

        var notice = Assert.Single(app.Logs.Lines, line => line.Contains("Writes are disabled", StringComparison.Ordinal));
        Assert.StartsWith("Warning ", notice, StringComparison.Ordinal);
        Assert.Contains("Production", notice, StringComparison.Ordinal);
        Assert.Contains("Know2Vec__ApiKey", notice, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_a_key_nothing_says_writes_are_disabled()
    {
        using var dir = new TestDirectory();
        await using var app = new Know2VecApp(dir, environment: "Production");
        using var client = app.CreateClient();

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/zoos")).StatusCode);

        Assert.DoesNotContain(app.Logs.Lines, line => line.Contains("Writes are", StringComparison.Ordinal));
    }

    public static TheoryData<string?, string?, string?, string[], string?> Environments => new()
    {
        // default from the launch profile, DOTNET_ENVIRONMENT, ASPNETCORE_ENVIRONMENT, arguments → the name to give the host (null: the host decides)
        { null, null, null, [], null },                                    // plain process: the host's default (Production)
        { null, null, "Production", [], null },
        { "Development", null, null, [], "Development" },                  // dotnet run --project Api
        { "Development", "Production", null, [], null },                   // DOTNET_ENVIRONMENT=Production dotnet run ...
        { "Development", null, "Production", [], null },                   // ASPNETCORE_ENVIRONMENT=Production dotnet run ...
        { "Development", null, null, ["--environment", "Production"], null }, // dotnet run ... -- --environment Production
        { "Development", null, null, ["--environment=Staging"], null },
        { "Development", "", " ", ["--urls", "http://localhost:1"], "Development" }, // blank values name nothing
    };

    [Theory]
    [MemberData(nameof(Environments))]
    public void An_environment_the_user_sets_wins_over_the_launch_profile_default(string? launchDefault, string? dotnet, string? aspnetcore, string[] args, string? expected)
    {
        var variables = new Dictionary<string, string?>
        {
            [LaunchEnvironment.DefaultVariable] = launchDefault,
            ["DOTNET_ENVIRONMENT"] = dotnet,
            ["ASPNETCORE_ENVIRONMENT"] = aspnetcore,
        };

        Assert.Equal(expected, LaunchEnvironment.Resolve(args, name => variables.GetValueOrDefault(name)));
    }

    [Theory]
    [InlineData("Api")]
    [InlineData("Indexer")]
    public void Launch_profiles_default_to_development_without_forcing_it(string project)
    {
        using var settings = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepoPaths.Root, project, "Properties", "launchSettings.json")));

        foreach (var profile in settings.RootElement.GetProperty("profiles").EnumerateObject())
        {
            var variables = profile.Value.GetProperty("environmentVariables");
            // A launch profile's variables replace the shell's: these two must stay the user's.
            Assert.False(variables.TryGetProperty("ASPNETCORE_ENVIRONMENT", out _), $"{project} profile {profile.Name} forces ASPNETCORE_ENVIRONMENT");
            Assert.False(variables.TryGetProperty("DOTNET_ENVIRONMENT", out _), $"{project} profile {profile.Name} forces DOTNET_ENVIRONMENT");
            Assert.Equal("Development", variables.GetProperty(LaunchEnvironment.DefaultVariable).GetString());
        }
    }
}
