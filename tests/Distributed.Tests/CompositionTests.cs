using Hangfire;
using Hangfire.PostgreSql;
using Hangfire.Storage.SQLite;
using Know2Vec.Core.Catalog;
using Know2Vec.Core.Vectors;
using Know2Vec.Hosting;
using Know2Vec.Storage.Postgres;
using Know2Vec.Storage.Qdrant;
using Know2Vec.Storage.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Know2Vec.Distributed.Tests;

/// <summary>The shared composition root picks the stores from configuration; nothing here connects to a server.</summary>
public sealed class CompositionTests
{
    private static ServiceProvider Build(Dictionary<string, string?> settings, bool worker = false)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection().AddLogging();
        services.AddKnow2VecCore(configuration);
        if (worker)
        {
            services.AddKnow2VecWorker();
        }
        else
        {
            services.AddKnow2VecJobs();
        }
        return services.BuildServiceProvider();
    }

    private static Dictionary<string, string?> Distributed() => new()
    {
        ["Know2Vec:BaseDirectory"] = RepoPaths.Root,
        ["Know2Vec:DataDirectory"] = Path.Combine(Path.GetTempPath(), "know2vec-composition-tests"),
        ["Know2Vec:Storage:Catalog"] = "Postgres",
        ["Know2Vec:Storage:Vectors"] = "Qdrant",
        ["Know2Vec:Jobs:Storage"] = "Postgres",
        ["Know2Vec:Jobs:ShutdownTimeout"] = "00:00:20",
        ["Know2Vec:Postgres:ConnectionString"] = "Host=postgres.invalid;Username=u;Password=p;Database=d",
        ["Know2Vec:Qdrant:Url"] = "https://qdrant.invalid:6334",
        ["Know2Vec:Qdrant:ApiKey"] = "secret",
        ["Know2Vec:Qdrant:Collection"] = "models",
    };

    [Fact]
    public void Distributed_picks_postgres_qdrant_and_hangfire_postgre_sql()
    {
        using var provider = Build(Distributed());

        Assert.Equal("know2vec", Assert.IsType<PostgresCatalog>(provider.GetRequiredService<ICatalog>()).Schema);
        Assert.Equal("models", Assert.IsType<QdrantVectorIndex>(provider.GetRequiredService<IVectorIndex>()).CollectionName);
        var storage = Assert.IsType<PostgreSqlStorage>(provider.GetRequiredService<JobStorage>());
        // Hangfire.PostgreSql keeps its options internal.
        var options = (PostgreSqlStorageOptions)typeof(PostgreSqlStorage)
            .GetProperty("Options", System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.NonPublic)!
            .GetValue(storage)!;
        Assert.False(options.PrepareSchemaIfNecessary); // migrations are the deploy step's
        Assert.True(options.UseSlidingInvisibilityTimeout);
        Assert.Equal("hangfire", options.SchemaName);
    }

    [Fact]
    public void Embedded_is_the_default()
    {
        using var provider = Build(new Dictionary<string, string?>
        {
            ["Know2Vec:BaseDirectory"] = RepoPaths.Root,
            ["Know2Vec:DataDirectory"] = Path.Combine(Path.GetTempPath(), "know2vec-composition-tests", Guid.NewGuid().ToString("N")),
        });

        Assert.IsType<SqliteCatalog>(provider.GetRequiredService<ICatalog>());
        Assert.IsType<EmbeddedVectorIndex>(provider.GetRequiredService<IVectorIndex>());
        Assert.IsType<SQLiteStorage>(provider.GetRequiredService<JobStorage>());
    }

    [Fact]
    public void HostShutdownTimeout_is_above_hangfires()
    {
        using var provider = Build(Distributed(), worker: true);

        var host = provider.GetRequiredService<IOptions<HostOptions>>().Value;
        Assert.True(host.ShutdownTimeout >= TimeSpan.FromSeconds(30), $"host shutdown timeout {host.ShutdownTimeout}");
        // The worker always runs its job server.
        Assert.True(provider.GetRequiredService<IOptions<Know2VecOptions>>().Value.Jobs.RunServer);
    }

    [Fact]
    public void Postgres_without_a_connection_string_fails_validation_at_start()
    {
        var settings = Distributed();
        settings.Remove("Know2Vec:Postgres:ConnectionString");
        using var provider = Build(settings);

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<Know2VecOptions>>().Value);
        Assert.Contains("Know2Vec:Postgres:ConnectionString", error.Message);
    }
}
