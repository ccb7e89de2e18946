using Know2Vec.Core.Catalog;

namespace Know2Vec.Api.Features.Zoos;

/// <summary>Answer to a registration: indexing has been queued.</summary>
/// <param name="Id">The zoo id (slug of the manifest name).</param>
/// <param name="JobId">The background job that fans out indexing.</param>
/// <param name="Models">Catalog ids of the registered models ("{zooId}:{name}").</param>
public sealed record ZooRegisteredResponse(string Id, string JobId, IReadOnlyList<string> Models);

/// <summary>A zoo and how far its indexing has got.</summary>
public sealed record ZooResponse(
    string Id,
    string Name,
    string Version,
    string? Description,
    DateTimeOffset CreatedAt,
    ZooStatusResponse Status,
    double Percent)
{
    internal static ZooResponse From(ZooRecord zoo, ZooStatusCounts counts) => new(
        zoo.Id, zoo.Name, zoo.Version, zoo.Description, zoo.CreatedAt,
        new ZooStatusResponse(counts.Total, counts.Pending, counts.Indexing, counts.Indexed, counts.Failed),
        Math.Round(counts.Percent, 1));
}

/// <summary>Models per indexing status.</summary>
public sealed record ZooStatusResponse(int Total, int Pending, int Indexing, int Indexed, int Failed);

/// <summary>Marks POST /zoos for <see cref="ZooRegistrationBodyFilter"/>.</summary>
public sealed class ZooRegistrationBodyMetadata;
