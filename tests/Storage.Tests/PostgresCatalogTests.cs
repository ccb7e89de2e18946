using Know2Vec.Core.Catalog;
using Npgsql;

namespace Know2Vec.Storage.Tests;

/// <summary>The catalog contract on PostgreSQL, each test in a freshly migrated schema of its own.</summary>
[Trait("Category", "PostgreSql")]
[RequiresEnvironment(PostgresTestDatabase.Variable, PostgresTestDatabase.Reason)]
public sealed class PostgresCatalogTests : CatalogContract, IAsyncLifetime
{
    private readonly string _schema = PostgresTestDatabase.NewSchema();

    protected override ICatalog CreateCatalog() =>
        new PostgresCatalog(PostgresTestDatabase.DataSource, new PostgresCatalogOptions { Schema = _schema });

    public async Task InitializeAsync()
    {
        if (RequiresEnvironmentAttribute.SkipReason(new Xunit.Sdk.ReflectionTypeInfo(GetType())) is null)
        {
            await PostgresCatalogSchema.MigrateAsync(PostgresTestDatabase.DataSource, _schema, CancellationToken.None);
        }
    }

    public async Task DisposeAsync()
    {
        if (RequiresEnvironmentAttribute.SkipReason(new Xunit.Sdk.ReflectionTypeInfo(GetType())) is null)
        {
            await PostgresTestDatabase.DropSchemaAsync(_schema);
        }
    }

    [StorageFact]
    public async Task Migrate_is_explicit_and_idempotent_and_records_the_version()
    {
        var schema = PostgresTestDatabase.NewSchema();
        try
        {
            var dataSource = PostgresTestDatabase.DataSource;
            Assert.Equal(0, await PostgresCatalogSchema.GetVersionAsync(dataSource, schema, CancellationToken.None));

            // Not migrated: the catalog refuses to work and names the command to run. Nothing is created.
            var catalog = new PostgresCatalog(dataSource, new PostgresCatalogOptions { Schema = schema });
            var error = await Assert.ThrowsAsync<InvalidOperationException>(() => catalog.ListZoosAsync(CancellationToken.None));
            Assert.Contains("migrate", error.Message);
            Assert.Equal(0, await PostgresCatalogSchema.GetVersionAsync(dataSource, schema, CancellationToken.None));

            Assert.Equal((0, PostgresCatalogSchema.CurrentVersion), await PostgresCatalogSchema.MigrateAsync(dataSource, schema, CancellationToken.None));
            Assert.Equal((PostgresCatalogSchema.CurrentVersion, PostgresCatalogSchema.CurrentVersion), await PostgresCatalogSchema.MigrateAsync(dataSource, schema, CancellationToken.None));
            Assert.Empty(await new PostgresCatalog(dataSource, new PostgresCatalogOptions { Schema = schema }).ListZoosAsync(CancellationToken.None));
        }
        finally
        {
            await PostgresTestDatabase.DropSchemaAsync(schema);
        }
    }

    [StorageFact]
    public async Task ConcurrentMigrations_Serialise()
    {
        var schema = PostgresTestDatabase.NewSchema();
        try
        {
            var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ =>
                Task.Run(() => PostgresCatalogSchema.MigrateAsync(PostgresTestDatabase.DataSource, schema, CancellationToken.None))));

            Assert.Single(results, r => r.From == 0);
            Assert.Equal(PostgresCatalogSchema.CurrentVersion, await PostgresCatalogSchema.GetVersionAsync(PostgresTestDatabase.DataSource, schema, CancellationToken.None));
        }
        finally
        {
            await PostgresTestDatabase.DropSchemaAsync(schema);
        }
    }

    [StorageFact]
    public async Task NewerSchemaVersion_is_refused()
    {
        await using (var command = PostgresTestDatabase.DataSource.CreateCommand($"UPDATE {_schema}.schema_version SET version = 99 WHERE component = 'catalog';"))
        {
            await command.ExecuteNonQueryAsync();
        }

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => CreateCatalog().ListZoosAsync(CancellationToken.None));
        Assert.Contains("99", error.Message);
        await Assert.ThrowsAsync<InvalidOperationException>(() => PostgresCatalogSchema.MigrateAsync(PostgresTestDatabase.DataSource, _schema, CancellationToken.None));
    }

    [StorageFact]
    public async Task JsonIsStoredAsJsonb_and_tags_use_the_gin_index()
    {
        Assert.True(await CreateCatalog().TryAddZooAsync(Zoo("z"), [Model("z", "m", tags: ["x", "y"])], CancellationToken.None));

        await using var command = PostgresTestDatabase.DataSource.CreateCommand(
            $"SELECT jsonb_typeof(input), input->>'layout', array_length(tags, 1) FROM {_schema}.models WHERE id = 'z:m';");
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.Equal("object", reader.GetString(0));
        Assert.Equal("NCHW", reader.GetString(1));
        Assert.Equal(2, reader.GetInt32(2));
        await reader.CloseAsync();

        await using var index = PostgresTestDatabase.DataSource.CreateCommand(
            $"SELECT indexdef FROM pg_indexes WHERE schemaname = '{_schema}' AND indexname = 'ix_models_tags';");
        Assert.Contains("gin", (string)(await index.ExecuteScalarAsync())!);
    }

    [StorageFact]
    public void InvalidSchemaName_is_refused()
    {
        Assert.Throws<ArgumentException>(() => new PostgresCatalog(PostgresTestDatabase.DataSource, new PostgresCatalogOptions { Schema = "x; DROP TABLE y" }));
        Assert.Throws<ArgumentException>(() => new PostgresCatalog(PostgresTestDatabase.DataSource, new PostgresCatalogOptions { Schema = "Upper" }));
    }

    [StorageFact]
    public async Task CancelledToken_is_honoured()
    {
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => CreateCatalog().ListZoosAsync(new CancellationToken(canceled: true)));
    }

    [StorageFact]
    public async Task UnreachableServer_fails_with_npgsql_error()
    {
        await using var unreachable = NpgsqlDataSource.Create("Host=127.0.0.1;Port=1;Timeout=2");
        var catalog = new PostgresCatalog(unreachable, new PostgresCatalogOptions { Schema = _schema });

        await Assert.ThrowsAnyAsync<NpgsqlException>(() => catalog.ListZoosAsync(CancellationToken.None));
    }
}
