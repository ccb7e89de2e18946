namespace Know2Vec.Core.Catalog;

/// <summary>
/// The one filter model shared by <see cref="ICatalog.ListModelsAsync"/> and the vector index's
/// search, so a listing and a search with the same filter see the same models. Every set
/// criterion must hold (AND); a null criterion matches everything.
/// </summary>
/// <param name="ZooId">Only models of this zoo.</param>
/// <param name="Architecture">Only models with exactly this architecture (ordinal, case-sensitive: what a Qdrant keyword match does).</param>
/// <param name="Tag">Only models that carry exactly this tag (ordinal, case-sensitive).</param>
/// <param name="MaxParameters">Only models with at most this many parameters (inclusive).</param>
public sealed record ModelFilter(
    string? ZooId = null,
    string? Architecture = null,
    string? Tag = null,
    long? MaxParameters = null)
{
    /// <summary>A filter that matches every model.</summary>
    public static ModelFilter None { get; } = new();

    /// <summary>Whether a model with these attributes passes the filter (the in-memory reference semantics).</summary>
    public bool Matches(string zooId, string architecture, IReadOnlyList<string> tags, long parameters)
    {
        if (ZooId is not null && !string.Equals(ZooId, zooId, StringComparison.Ordinal))
        {
            return false;
        }
        if (Architecture is not null && !string.Equals(Architecture, architecture, StringComparison.Ordinal))
        {
            return false;
        }
        if (MaxParameters is { } max && parameters > max)
        {
            return false;
        }
        if (Tag is not null)
        {
            for (var i = 0; i < tags.Count; i++)
            {
                if (string.Equals(Tag, tags[i], StringComparison.Ordinal))
                {
                    return true;
                }
            }
            return false;
        }
        return true;
    }
}
