using Npgsql;

namespace Know2Vec.Storage.Tests;

/// <summary>
/// The PostgreSQL server the tests use: the connection string in <see cref="Variable"/> (.ci/run starts a
/// private PostgreSQL 15 cluster on 127.0.0.1 and sets it). Each test gets a schema of its own, so
/// tests run in parallel on one database and leave nothing behind.
/// </summary>
public static class PostgresTestDatabase
{
    public const string Variable = "KNOW2VEC_TEST_POSTGRES";

    public const string Reason = "set it to a PostgreSQL connection string to run the PostgreSQL tests (.ci/run starts a private cluster and sets it)";

    private static readonly Lazy<NpgsqlDataSource> Shared = new(() =>
        NpgsqlDataSource.Create(Environment.GetEnvironmentVariable(Variable)
            ?? throw new InvalidOperationException($"{Variable} is not set.")));

    /// <summary>One pool for the test run (a pool per test would exhaust the server's connections).</summary>
    public static NpgsqlDataSource DataSource => Shared.Value;

    /// <summary>A fresh, unique schema name.</summary>
    public static string NewSchema() => $"t_{Guid.NewGuid():N}";

    public static async Task DropSchemaAsync(string schema)
    {
        await using var command = DataSource.CreateCommand($"DROP SCHEMA IF EXISTS {schema} CASCADE;");
        await command.ExecuteNonQueryAsync();
    }
}
