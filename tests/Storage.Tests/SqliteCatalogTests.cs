using Know2Vec.Core.Catalog;
using Microsoft.Data.Sqlite;

namespace Know2Vec.Storage.Tests;

public sealed class SqliteCatalogTests : CatalogContract, IDisposable
{
    private readonly TempDirectory _directory = new();
    private readonly List<IDisposable> _created = [];

    private string DatabasePath => _directory.File("catalog.db");

    protected override ICatalog CreateCatalog()
    {
        var catalog = new SqliteCatalog(DatabasePath);
        _created.Add(catalog);
        return catalog;
    }

    public void Dispose()
    {
        foreach (var created in _created)
        {
            created.Dispose();
        }
        _directory.Dispose();
    }

    [Fact]
    public async Task Schema_is_created_once_with_wal_and_a_version_row()
    {
        var catalog = CreateCatalog();
        Assert.Empty(await catalog.ListZoosAsync(CancellationToken.None));
        // A second instance on an existing file must not fail on the existing schema.
        Assert.Empty(await CreateCatalog().ListZoosAsync(CancellationToken.None));

        await using var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode;";
        Assert.Equal("wal", (string?)await command.ExecuteScalarAsync());
        command.CommandText = "SELECT version FROM schema_version WHERE component = 'catalog';";
        Assert.Equal(1L, (long?)await command.ExecuteScalarAsync());
    }

    [Fact]
    public async Task NewerSchemaVersion_is_refused()
    {
        Assert.Empty(await CreateCatalog().ListZoosAsync(CancellationToken.None));
        await using (var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False"))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "UPDATE schema_version SET version = 99 WHERE component = 'catalog';";
            await command.ExecuteNonQueryAsync();
        }

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => CreateCatalog().ListZoosAsync(CancellationToken.None));
        Assert.Contains("99", error.Message);
    }

    [Fact]
    public async Task CreatesMissingDirectory()
    {
        using var catalog = new SqliteCatalog(_directory.File(Path.Combine("nested", "deeper", "catalog.db")));

        Assert.True(await catalog.TryAddZooAsync(Zoo("z"), [], CancellationToken.None));
        Assert.True(File.Exists(catalog.DatabasePath));
    }

    [Fact]
    public void InMemoryDatabase_is_refused()
    {
        Assert.Throws<ArgumentException>(() => new SqliteCatalog(":memory:"));
    }

    [Fact]
    public async Task CancelledToken_is_honoured()
    {
        var catalog = CreateCatalog();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => catalog.ListZoosAsync(new CancellationToken(canceled: true)));
    }
}
