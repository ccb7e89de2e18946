using System.Text.RegularExpressions;
using System.Xml.Linq;
using YamlDotNet.RepresentationModel;

namespace Know2Vec.Distributed.Tests;

/// <summary>
/// compose.yaml, parsed (no Docker engine here): the services of distributed mode, pinned images,
/// published ports, health checks, the migrate deploy step, a scalable indexer and the volumes.
/// </summary>
public sealed partial class ComposeFileTests
{
    private static readonly YamlMappingNode Root = Load();

    private static YamlMappingNode Services => Map(Root, "services");

    private static YamlMappingNode Load()
    {
        var yaml = new YamlStream();
        using var reader = new StreamReader(Path.Combine(RepoPaths.Root, "compose.yaml"));
        yaml.Load(reader);
        return (YamlMappingNode)yaml.Documents.Single().RootNode;
    }

    private static YamlMappingNode Map(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var child) ? (YamlMappingNode)child : throw new KeyNotFoundException(key);

    private static YamlNode? Get(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var child) ? child : null;

    private static string? Scalar(YamlMappingNode node, string key) => (Get(node, key) as YamlScalarNode)?.Value;

    private static IEnumerable<string> Sequence(YamlMappingNode node, string key) =>
        Get(node, key) is YamlSequenceNode sequence ? sequence.Children.Cast<YamlScalarNode>().Select(s => s.Value!) : [];

    /// <summary>A service's environment with the YAML merge key (&lt;&lt;: *anchor) applied, as compose does.</summary>
    private static Dictionary<string, string> Environment(string service)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        var environment = (YamlMappingNode)Get(Map(Services, service), "environment")!;
        foreach (var (key, value) in environment.Children)
        {
            if (((YamlScalarNode)key).Value == "<<")
            {
                foreach (var (k, v) in (YamlMappingNode)value)
                {
                    result.TryAdd(((YamlScalarNode)k).Value!, ((YamlScalarNode)v).Value!);
                }
            }
        }
        foreach (var (key, value) in environment.Children)
        {
            if (((YamlScalarNode)key).Value != "<<")
            {
                result[((YamlScalarNode)key).Value!] = ((YamlScalarNode)value).Value!;
            }
        }
        return result;
    }

    [Fact]
    public void HasTheServicesOfDistributedMode()
    {
        Assert.Equal(["api", "indexer", "migrate", "postgres", "qdrant"],
            Services.Children.Keys.Cast<YamlScalarNode>().Select(k => k.Value!).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Qdrant_is_pinned_to_the_server_of_the_client_version()
    {
        var image = Scalar(Map(Services, "qdrant"), "image")!;
        var client = XDocument.Load(Path.Combine(RepoPaths.Root, "Directory.Packages.props"))
            .Descendants("PackageVersion").Single(p => (string?)p.Attribute("Include") == "Qdrant.Client").Attribute("Version")!.Value;

        var match = QdrantTag().Match(image);
        Assert.True(match.Success, $"qdrant image '{image}' is not pinned to a vX.Y.Z tag");
        // Qdrant's clients follow the server's minor versions: client 1.20.x talks to server 1.20.x.
        Assert.Equal(string.Join('.', client.Split('.').Take(2)), $"{match.Groups[1].Value}.{match.Groups[2].Value}");
    }

    [Fact]
    public void Postgres_is_version_15_as_in_ci()
    {
        Assert.Matches("^postgres:15([.-].*)?$", Scalar(Map(Services, "postgres"), "image"));
    }

    [Theory]
    [InlineData("postgres", "pg_isready")]
    [InlineData("qdrant", "/readyz")]
    [InlineData("api", "http://localhost:8080/health/ready")]
    [InlineData("indexer", "http://localhost:8081/health/ready")]
    public void LongRunningServices_have_health_checks(string service, string probe)
    {
        var healthcheck = Map(Map(Services, service), "healthcheck");
        var test = Get(healthcheck, "test") switch
        {
            YamlSequenceNode sequence => string.Join(' ', sequence.Children.Cast<YamlScalarNode>().Select(s => s.Value)),
            YamlScalarNode scalar => scalar.Value!,
            _ => "",
        };
        Assert.Contains(probe, test);
        Assert.NotNull(Scalar(healthcheck, "interval"));
        Assert.NotNull(Scalar(healthcheck, "retries"));
    }

    [Fact]
    public void Ports_only_the_api_and_qdrants_rest_are_published()
    {
        Assert.Equal(["8080:8080"], Sequence(Map(Services, "api"), "ports"));
        Assert.Equal(["6333:6333"], Sequence(Map(Services, "qdrant"), "ports"));
        // A published host port or a fixed name would make `--scale indexer=N` fail.
        var indexer = Map(Services, "indexer");
        Assert.Null(Get(indexer, "ports"));
        Assert.Null(Get(indexer, "container_name"));
        Assert.Null(Get(Map(Services, "postgres"), "ports"));
    }

    [Fact]
    public void Migrations_are_a_deploy_step_that_gates_the_api_and_the_workers()
    {
        var migrate = Map(Services, "migrate");
        Assert.Equal(["migrate"], Sequence(migrate, "command"));
        Assert.Equal("indexer", Scalar(Map(migrate, "build"), "target"));
        Assert.Equal("service_healthy", Scalar(Map(Map(migrate, "depends_on"), "postgres"), "condition"));
        foreach (var service in new[] { "api", "indexer" })
        {
            var dependsOn = Map(Map(Services, service), "depends_on");
            Assert.Equal("service_completed_successfully", Scalar(Map(dependsOn, "migrate"), "condition"));
            Assert.Equal("service_healthy", Scalar(Map(dependsOn, "qdrant"), "condition"));
        }
    }

    [Fact]
    public void Environment_selects_the_distributed_stores_and_the_api_only_enqueues()
    {
        foreach (var service in new[] { "api", "indexer", "migrate" })
        {
            var environment = service == "migrate"
                ? ((YamlMappingNode)Get(Map(Services, "migrate"), "environment")!).Children.ToDictionary(c => ((YamlScalarNode)c.Key).Value!, c => ((YamlScalarNode)c.Value).Value!)
                : Environment(service);
            Assert.Equal("Postgres", environment["Know2Vec__Storage__Catalog"]);
            Assert.Equal("Qdrant", environment["Know2Vec__Storage__Vectors"]);
            Assert.Equal("Postgres", environment["Know2Vec__Jobs__Storage"]);
            Assert.Contains("Host=postgres", environment["Know2Vec__Postgres__ConnectionString"]);
            Assert.Equal("http://qdrant:6334", environment["Know2Vec__Qdrant__Url"]); // gRPC port
        }
        Assert.Equal("false", Environment("api")["Know2Vec__Jobs__RunServer"]);
        Assert.False(Environment("indexer").ContainsKey("Know2Vec__Jobs__RunServer"));
        Assert.True(Environment("indexer").ContainsKey("Know2Vec__Jobs__WorkerCount"));
    }

    [Fact]
    public void Indexer_stops_gracefully_after_hangfires_shutdown_timeout()
    {
        var indexer = Map(Services, "indexer");
        var grace = TimeSpan.FromSeconds(int.Parse(Scalar(indexer, "stop_grace_period")!.TrimEnd('s'), System.Globalization.CultureInfo.InvariantCulture));
        var hangfire = TimeSpan.Parse(Environment("indexer")["Know2Vec__Jobs__ShutdownTimeout"], System.Globalization.CultureInfo.InvariantCulture);
        // The host waits Hangfire's timeout + 10 s (Know2VecServiceCollectionExtensions); compose must wait longer still.
        Assert.True(grace > hangfire + TimeSpan.FromSeconds(10), $"stop_grace_period {grace} must exceed {hangfire} + 10 s");
    }

    [Fact]
    public void Volumes_share_zoos_and_uploads_between_the_api_and_the_workers()
    {
        Assert.Equal(["know2vec-data", "postgres-data", "qdrant-storage", "zoos"],
            Map(Root, "volumes").Children.Keys.Cast<YamlScalarNode>().Select(k => k.Value!).Order(StringComparer.Ordinal));
        Assert.Contains("zoos:/zoos", Sequence(Map(Services, "api"), "volumes"));
        Assert.Contains("zoos:/zoos:ro", Sequence(Map(Services, "indexer"), "volumes"));
        foreach (var service in new[] { "api", "indexer" })
        {
            Assert.Contains("know2vec-data:/var/lib/know2vec", Sequence(Map(Services, service), "volumes"));
            Assert.Equal("/zoos", Environment(service)["Know2Vec__ZooRoot"]);
        }
    }

    [Fact]
    public void Images_are_built_from_the_dockerfiles_targets()
    {
        var dockerfile = File.ReadAllText(Path.Combine(RepoPaths.Root, "Dockerfile"));
        Assert.Equal("api", Scalar(Map(Map(Services, "api"), "build"), "target"));
        Assert.Equal(Scalar(Map(Services, "migrate"), "image"), Scalar(Map(Services, "indexer"), "image"));
        Assert.Contains("AS api", dockerfile);
        Assert.Contains("AS indexer", dockerfile);
        Assert.Contains("ENTRYPOINT [\"dotnet\", \"Know2Vec.Indexer.dll\"]", dockerfile);
    }

    [GeneratedRegex(@"^qdrant/qdrant:v(\d+)\.(\d+)\.(\d+)$")]
    private static partial Regex QdrantTag();
}
