namespace Know2Vec.Core.Vectors;

/// <summary>One search result.</summary>
/// <param name="ModelId">Catalog id of the model.</param>
/// <param name="Score">Cosine similarity between the query and the model's vector, in [-1, 1] up to rounding.</param>
/// <param name="Payload">The model's stored payload.</param>
public sealed record VectorHit(string ModelId, float Score, VectorPayload Payload);
