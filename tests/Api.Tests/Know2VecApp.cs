using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Know2Vec.Api.Tests;

/// <summary>
/// The whole service in-process, on its own temporary data directory and zoo root (so tests run in
/// parallel), with its own Hangfire SQLite file and job server. Dispose stops it; <see cref="TestDirectory"/>
/// is deleted by whoever created it (several apps may share one to test restarts).
/// </summary>
public sealed class Know2VecApp : WebApplicationFactory<Program>
{
    public const string ApiKey = "test-key";

    private readonly Dictionary<string, string?> _settings;
    private readonly string _environment;
    private readonly Action<IServiceCollection>? _testServices;

    /// <param name="directory">The app's data directory and zoo root.</param>
    /// <param name="settings">Configuration on top of the test defaults.</param>
    /// <param name="environment">The hosting environment.</param>
    /// <param name="testServices">Replaces services after the app's own registrations: only for test doubles of a boundary a test cannot reach otherwise.</param>
    public Know2VecApp(TestDirectory directory, IDictionary<string, string?>? settings = null, string environment = "Testing", Action<IServiceCollection>? testServices = null)
    {
        Directory = directory;
        _environment = environment;
        _testServices = testServices;
        _settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["Know2Vec:BaseDirectory"] = directory.Path,
            ["Know2Vec:DataDirectory"] = directory.DataDirectory,
            ["Know2Vec:ZooRoot"] = directory.ZooRoot,
            ["Know2Vec:SeedManifests:0"] = "", // appsettings.json seeds the demo zoo; tests start empty
            ["Know2Vec:ProbePoolDirectory"] = Path.Combine(RepoPaths.ZooManifests, "probe-pool", "v1"),
            // The trained alignment the service ships; EndToEndTests assert that it is the one serving.
            ["Know2Vec:Alignment:Directory"] = Path.Combine(RepoPaths.ZooManifests, "alignment", "know2vec-v1"),
            ["Know2Vec:ApiKey"] = ApiKey,
            ["Know2Vec:Jobs:QueuePollInterval"] = "00:00:00.250",
            ["Know2Vec:Jobs:ShutdownTimeout"] = "00:00:05",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            _settings[key] = value;
        }
    }

    public TestDirectory Directory { get; }

    /// <summary>What the app logged at Warning and above, as "Level Category: message".</summary>
    public LogCapture Logs { get; } = new();

    /// <summary>A client that sends the API key.</summary>
    public HttpClient CreateWriter()
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", ApiKey);
        return client;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(_environment);
        builder.ConfigureAppConfiguration((_, configuration) => configuration.AddInMemoryCollection(_settings));
        builder.ConfigureLogging(logging => logging.SetMinimumLevel(LogLevel.Warning).AddProvider(Logs));
        if (_testServices is not null)
        {
            builder.ConfigureTestServices(_testServices);
        }
    }

    /// <summary>The version of the trained alignment the app is configured with (its alignment.json), e.g. "know2vec-v1".</summary>
    public static string TrainedAlignmentVersion { get; } = ReadTrainedAlignmentVersion();

    private static string ReadTrainedAlignmentVersion()
    {
        using var descriptor = System.Text.Json.JsonDocument.Parse(File.ReadAllText(
            System.IO.Path.Combine(RepoPaths.ZooManifests, "alignment", "know2vec-v1", Know2Vec.Core.Alignment.TrainedAlignment.DescriptorFile)));
        return descriptor.RootElement.GetProperty("version").GetString()!;
    }
}

/// <summary>Keeps every log line an app writes (at the app's minimum level), for tests that assert what the service says.</summary>
public sealed class LogCapture : ILoggerProvider
{
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _lines = new();

    public IReadOnlyCollection<string> Lines => _lines;

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _lines);

    public void Dispose()
    {
    }

    private sealed class Logger(string category, System.Collections.Concurrent.ConcurrentQueue<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)}");
    }
}

/// <summary>A temporary folder with data/ and zoo/ inside, deleted on dispose.</summary>
public sealed class TestDirectory : IDisposable
{
    public TestDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "know2vec-api-tests", Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(DataDirectory);
        System.IO.Directory.CreateDirectory(ZooRoot);
    }

    public string Path { get; }

    public string DataDirectory => System.IO.Path.Combine(Path, "data");

    /// <summary>Know2Vec:ZooRoot: model files of JSON-registered manifests live here.</summary>
    public string ZooRoot => System.IO.Path.Combine(Path, "zoo");

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open by a finishing background thread: the OS temp cleaner gets it.
        }
    }
}
