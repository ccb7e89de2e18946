using Know2Vec.Core.Catalog;
using Qdrant.Client.Grpc;
using static Qdrant.Client.Grpc.Conditions;

namespace Know2Vec.Storage.Qdrant;

/// <summary>Payload field names and the payload indexes of a Know2Vec collection.</summary>
public static class QdrantPayload
{
    public const string ModelId = "model_id";
    public const string ZooId = "zoo_id";
    public const string Architecture = "architecture";
    public const string Tags = "tags";
    public const string Parameters = "parameters";
    public const string AlignmentVersion = "alignment_version";

    /// <summary>Every field a filter (or a stale-vector check) reads, with its index type.</summary>
    public static IReadOnlyList<(string Field, PayloadSchemaType Type)> Indexes { get; } =
    [
        (ZooId, PayloadSchemaType.Keyword),
        (Architecture, PayloadSchemaType.Keyword),
        (Tags, PayloadSchemaType.Keyword),
        (Parameters, PayloadSchemaType.Integer),
        (AlignmentVersion, PayloadSchemaType.Keyword),
    ];
}

/// <summary>Maps the shared <see cref="ModelFilter"/> to a Qdrant filter with the same semantics as <see cref="ModelFilter.Matches"/>.</summary>
public static class QdrantFilters
{
    /// <summary>
    /// A filter whose every condition must hold (Qdrant's <c>must</c>): keyword matches (exact,
    /// case-sensitive) on zoo and architecture, a keyword match on the tags array (matches when any
    /// element equals the tag), and parameters ≤ max. Null when the filter sets nothing.
    /// </summary>
    public static Filter? From(ModelFilter filter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var must = new List<Condition>();
        if (filter.ZooId is not null)
        {
            must.Add(MatchKeyword(QdrantPayload.ZooId, filter.ZooId));
        }
        if (filter.Architecture is not null)
        {
            must.Add(MatchKeyword(QdrantPayload.Architecture, filter.Architecture));
        }
        if (filter.Tag is not null)
        {
            must.Add(MatchKeyword(QdrantPayload.Tags, filter.Tag));
        }
        if (filter.MaxParameters is { } max)
        {
            // Range takes doubles: exact for parameter counts below 2^53.
            must.Add(Range(QdrantPayload.Parameters, new global::Qdrant.Client.Grpc.Range { Lte = max }));
        }
        if (must.Count == 0)
        {
            return null;
        }
        var result = new Filter();
        result.Must.AddRange(must);
        return result;
    }
}
