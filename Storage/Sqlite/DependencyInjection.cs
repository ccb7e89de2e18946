using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Know2Vec.Storage.Sqlite;

/// <summary>Registration of the embedded stores: <see cref="SqliteCatalog"/> and <see cref="EmbeddedVectorIndex"/>.</summary>
public static class DependencyInjection
{
    /// <summary>
    /// Registers <see cref="SqliteCatalog"/> and <see cref="EmbeddedVectorIndex"/> as singletons by their own
    /// types, both in one SQLite file (their tables do not clash). <paramref name="databasePath"/> is
    /// called on first use, so configuration added after this call still counts. The host decides which
    /// registered store serves <see cref="ICatalog"/> and <see cref="IVectorIndex"/>.
    /// </summary>
    public static IServiceCollection AddSqliteStorage(this IServiceCollection services, Func<IServiceProvider, string> databasePath)
    {
        ArgumentNullException.ThrowIfNull(databasePath);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new SqliteCatalog(
            new SqliteStorageOptions { DatabasePath = databasePath(sp) }, sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton(sp => new EmbeddedVectorIndex(new SqliteStorageOptions { DatabasePath = databasePath(sp) }));
        return services;
    }
}
