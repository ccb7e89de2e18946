using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Qdrant.Client;
using Qdrant.Client.Grpc;

namespace Know2Vec.Storage.Qdrant;

/// <summary>Registration of the distributed vector index: <see cref="QdrantVectorIndex"/> and its client.</summary>
public static class DependencyInjection
{
    /// <summary>
    /// Binds <see cref="QdrantVectorIndexOptions"/> (section <c>Know2Vec:Qdrant</c>) and registers one gRPC
    /// channel and <see cref="QdrantClient"/> per process (channels are expensive and multiplex calls) and
    /// <see cref="QdrantVectorIndex"/> by its own type. Nothing connects before first use.
    /// </summary>
    public static IServiceCollection AddQdrantVectorIndex(this IServiceCollection services)
    {
        services.AddOptions<QdrantVectorIndexOptions>().BindConfiguration(QdrantVectorIndexOptions.SectionName).ValidateDataAnnotations();
        services.TryAddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<QdrantVectorIndexOptions>>().Value;
            return QdrantChannel.ForAddress(new Uri(options.Url), new ClientConfiguration
            {
                ApiKey = string.IsNullOrEmpty(options.ApiKey) ? null : options.ApiKey,
                CertificateThumbprint = string.IsNullOrEmpty(options.CertificateThumbprint) ? null : options.CertificateThumbprint,
            });
        });
        services.TryAddSingleton(sp => new QdrantClient(
            new QdrantGrpcClient(sp.GetRequiredService<QdrantChannel>()),
            sp.GetRequiredService<IOptions<QdrantVectorIndexOptions>>().Value.Timeout,
            sp.GetRequiredService<ILoggerFactory>()));
        services.TryAddSingleton(sp => new QdrantVectorIndex(
            sp.GetRequiredService<QdrantClient>(), sp.GetRequiredService<IOptions<QdrantVectorIndexOptions>>().Value));
        return services;
    }
}
