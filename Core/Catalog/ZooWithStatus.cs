namespace Know2Vec.Core.Catalog;

/// <summary>A zoo and how far its indexing has got, read together.</summary>
public sealed record ZooWithStatus(ZooRecord Zoo, ZooStatusCounts Counts);
