using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Npgsql;

namespace Know2Vec.Storage.Postgres;

/// <summary>Registration of the distributed catalog: <see cref="PostgresCatalog"/> and the process's one <see cref="NpgsqlDataSource"/>.</summary>
public static class DependencyInjection
{
    /// <summary>
    /// Registers one <see cref="NpgsqlDataSource"/> per process (a connection pool, shared with anything
    /// else that needs the server) and <see cref="PostgresCatalog"/> by its own type. Both delegates are
    /// called on first use, so configuration added after this call still counts.
    /// </summary>
    public static IServiceCollection AddPostgresCatalog(
        this IServiceCollection services, Func<IServiceProvider, string> connectionString, Func<IServiceProvider, string> schema)
    {
        ArgumentNullException.ThrowIfNull(connectionString);
        ArgumentNullException.ThrowIfNull(schema);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => NpgsqlDataSource.Create(connectionString(sp)));
        services.TryAddSingleton(sp => new PostgresCatalog(
            sp.GetRequiredService<NpgsqlDataSource>(),
            new PostgresCatalogOptions { Schema = schema(sp) },
            sp.GetRequiredService<TimeProvider>()));
        return services;
    }
}
