using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Know2Vec.Distributed.Tests;

/// <summary>
/// A distributed deployment on this machine: a catalog schema and a Hangfire schema of its own on
/// the test PostgreSQL server, a shared data directory, and Api / Indexer processes configured as
/// compose configures them. Dispose kills the processes and drops the schemas.
/// </summary>
/// <remarks>
/// Vectors: no Qdrant server can run here, so the processes use the embedded vector index, whose
/// points are persisted in one SQLite file in the shared data directory — one shared place that
/// every worker writes to and the Api reads on load. That is a stand-in for Qdrant in this test
/// only (the Qdrant adapter has its own contract and adapter tests); the catalog, the knowledge
/// tensors and the job queue are the real distributed stores.
/// </remarks>
public sealed class DistributedDeployment : IAsyncDisposable
{
    public const string ApiKey = "e2e-key";

    private readonly List<ServiceProcess> _processes = [];
    private readonly NpgsqlDataSource _dataSource;

    private DistributedDeployment(string connectionString)
    {
        ConnectionString = connectionString;
        _dataSource = NpgsqlDataSource.Create(connectionString);
        var id = Guid.NewGuid().ToString("N")[..12];
        CatalogSchema = $"e2e_catalog_{id}";
        JobSchema = $"e2e_jobs_{id}";
        Directory = Path.Combine(Path.GetTempPath(), "know2vec-distributed-tests", id);
        System.IO.Directory.CreateDirectory(DataDirectory);
    }

    public string ConnectionString { get; }

    public string CatalogSchema { get; }

    public string JobSchema { get; }

    public string Directory { get; }

    public string DataDirectory => Path.Combine(Directory, "data");

    /// <summary>Settings shared by every process (what compose's x-know2vec-environment holds).</summary>
    public Dictionary<string, string> Environment(int workerCount = 1) => new()
    {
        ["DOTNET_ENVIRONMENT"] = "Production",
        ["ASPNETCORE_ENVIRONMENT"] = "Production",
        ["Know2Vec__BaseDirectory"] = RepoPaths.Root,
        ["Know2Vec__DataDirectory"] = DataDirectory,
        ["Know2Vec__ZooRoot"] = RepoPaths.ZooManifests,
        ["Know2Vec__SeedManifests__0"] = "",
        ["Know2Vec__ApiKey"] = ApiKey,
        ["Know2Vec__Storage__Catalog"] = "Postgres",
        ["Know2Vec__Storage__Vectors"] = "Embedded",
        ["Know2Vec__Jobs__Storage"] = "Postgres",
        ["Know2Vec__Postgres__ConnectionString"] = ConnectionString,
        ["Know2Vec__Postgres__CatalogSchema"] = CatalogSchema,
        ["Know2Vec__Postgres__JobSchema"] = JobSchema,
        ["Know2Vec__Jobs__WorkerCount"] = workerCount.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Know2Vec__Jobs__QueuePollInterval"] = "00:00:00.200",
        // Short, so that the jobs of a killed worker are taken over within a test, yet long enough that
        // a live worker (which renews it every 6 s) never loses a job on a loaded machine.
        ["Know2Vec__Jobs__InvisibilityTimeout"] = "00:00:30",
        ["Know2Vec__Jobs__ShutdownTimeout"] = "00:00:05",
        ["Logging__LogLevel__Default"] = "Warning",
        ["Logging__LogLevel__Know2Vec"] = "Information",
        ["Logging__Console__FormatterName"] = "simple",
    };

    public static DistributedDeployment Create() =>
        new(System.Environment.GetEnvironmentVariable(PostgresFactAttribute.Variable)
            ?? throw new InvalidOperationException($"{PostgresFactAttribute.Variable} is not set."));

    /// <summary>The deploy step: <c>Know2Vec.Indexer migrate</c>.</summary>
    public async Task<string> MigrateAsync()
    {
        var (exitCode, output) = await ServiceProcess.RunAsync(RepoPaths.IndexerDll, Environment(), TimeSpan.FromMinutes(2), "migrate");
        Assert.True(exitCode == 0, $"migrate exited with {exitCode}:\n{output}");
        return output;
    }

    public ServiceProcess StartApi()
    {
        var environment = Environment();
        environment["Know2Vec__Jobs__RunServer"] = "false"; // distributed: the Api only enqueues
        return Track(ServiceProcess.Start("api", RepoPaths.ApiDll, environment));
    }

    public ServiceProcess StartWorker(string name, int workerCount = 1) =>
        Track(ServiceProcess.Start(name, RepoPaths.IndexerDll, Environment(workerCount)));

    /// <summary>A manifest of <paramref name="modelNames"/> from the demo zoo (model files resolve against the zoo root, zoo-manifests/).</summary>
    public static string Manifest(string zooName, IReadOnlyCollection<string>? modelNames = null)
    {
        var demo = JsonNode.Parse(File.ReadAllText(Path.Combine(RepoPaths.ZooManifests, "demo.json")))!.AsObject();
        demo["name"] = zooName;
        demo.Remove("$schema");
        if (modelNames is not null)
        {
            var models = demo["models"]!.AsArray().Where(m => modelNames.Contains((string)m!["id"]!)).Select(m => m!.DeepClone()).ToArray();
            Assert.Equal(modelNames.Count, models.Length);
            demo["models"] = new JsonArray(models);
        }
        return demo.ToJsonString();
    }

    public static HttpClient Client(ServiceProcess api)
    {
        var client = new HttpClient { BaseAddress = api.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        client.DefaultRequestHeaders.Add("X-Api-Key", ApiKey);
        return client;
    }

    /// <summary>POST /zoos with a JSON manifest; returns the zoo id.</summary>
    public static async Task<string> RegisterAsync(HttpClient client, string manifest)
    {
        using var content = new StringContent(manifest, System.Text.Encoding.UTF8, "application/json");
        using var response = await client.PostAsync("/zoos", content);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"POST /zoos: {(int)response.StatusCode} {body}");
        return JsonNode.Parse(body)!["id"]!.GetValue<string>();
    }

    /// <summary>GET /zoos/{id}: the status counts.</summary>
    public static async Task<JsonNode> ZooStatusAsync(HttpClient client, string zooId) =>
        (await client.GetFromJsonAsync<JsonNode>($"/zoos/{zooId}"))!["status"]!;

    /// <summary>Every ProbeModel job with its model id and state history (oldest first), read from Hangfire's tables.</summary>
    public async Task<IReadOnlyList<ProbeJob>> ProbeJobsAsync()
    {
        await using var command = _dataSource.CreateCommand($"""
            SELECT j.id, COALESCE(j.statename, ''), j.arguments::text, s.name, s.data::text
            FROM {JobSchema}.job j LEFT JOIN {JobSchema}.state s ON s.jobid = j.id
            WHERE j.invocationdata::text LIKE '%ProbeModelJob%'
            ORDER BY j.id, s.id;
            """);
        var jobs = new Dictionary<long, ProbeJob>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            var id = reader.GetInt64(0);
            if (!jobs.TryGetValue(id, out var job))
            {
                // arguments: a JSON array of JSON-serialised arguments; the first is the model id.
                var arguments = JsonSerializer.Deserialize<string?[]>(reader.GetString(2))!;
                job = new ProbeJob(id, JsonSerializer.Deserialize<string>(arguments[0]!)!, reader.GetString(1), []);
                jobs[id] = job;
            }
            if (!reader.IsDBNull(3))
            {
                var data = reader.IsDBNull(4) ? null : JsonNode.Parse(reader.GetString(4));
                job.States.Add(new JobState(reader.GetString(3), data?["ServerId"]?.GetValue<string>()));
            }
        }
        return [.. jobs.Values];
    }

    /// <summary>
    /// The probe jobs once every one has reached a final state. A model is marked indexed inside its
    /// job, a moment before Hangfire records the job's Succeeded state.
    /// </summary>
    public async Task<IReadOnlyList<ProbeJob>> FinishedProbeJobsAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var jobs = await ProbeJobsAsync();
            if (jobs.All(j => j.State is "Succeeded" or "Failed" or "Deleted") || DateTime.UtcNow > deadline)
            {
                return jobs;
            }
            await Task.Delay(200);
        }
    }

    /// <summary>Knowledge tensors stored in the PostgreSQL catalog.</summary>
    public async Task<long> KnowledgeRowsAsync()
    {
        await using var command = _dataSource.CreateCommand($"SELECT count(*) FROM {CatalogSchema}.knowledge;");
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>The version of the trained alignment every process is configured with (zoo-manifests/alignment/know2vec-v1), e.g. "know2vec-v1".</summary>
    public static string TrainedAlignmentVersion()
    {
        var descriptor = JsonNode.Parse(File.ReadAllText(Path.Combine(RepoPaths.ZooManifests, "alignment", "know2vec-v1", "alignment.json")))!;
        return descriptor["version"]!.GetValue<string>();
    }

    /// <summary>Vector points in the shared SQLite file: (model id, alignment version).</summary>
    public IReadOnlyList<(string ModelId, string Alignment)> VectorPoints()
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(DataDirectory, "know2vec.db")};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT model_id, alignment_version FROM vector_points ORDER BY model_id;";
        using var reader = command.ExecuteReader();
        var points = new List<(string, string)>();
        while (reader.Read())
        {
            points.Add((reader.GetString(0), reader.GetString(1)));
        }
        return points;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var process in _processes)
        {
            process.Dispose();
        }
        try
        {
            await using var command = _dataSource.CreateCommand($"DROP SCHEMA IF EXISTS {CatalogSchema} CASCADE; DROP SCHEMA IF EXISTS {JobSchema} CASCADE;");
            await command.ExecuteNonQueryAsync();
        }
        finally
        {
            await _dataSource.DisposeAsync();
            try
            {
                System.IO.Directory.Delete(Directory, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private ServiceProcess Track(ServiceProcess process)
    {
        _processes.Add(process);
        return process;
    }
}

/// <summary>A Hangfire ProbeModel job: its model, current state and state history.</summary>
public sealed record ProbeJob(long Id, string ModelId, string State, List<JobState> States)
{
    /// <summary>Processes (pids) that started this job, in order. Hangfire server ids are "{host}:{pid}:{guid}".</summary>
    public IEnumerable<int> ProcessedBy => States.Where(s => s.Name == "Processing" && s.ServerId is not null).Select(s => ServerPid(s.ServerId!));

    public static int ServerPid(string serverId) => int.Parse(serverId.Split(':')[1], System.Globalization.CultureInfo.InvariantCulture);
}

public sealed record JobState(string Name, string? ServerId);
