namespace Know2Vec.Core.Vectors;

/// <summary>A model's vector in the aligned space, keyed by its catalog id.</summary>
/// <param name="ModelId">Catalog id of the model ("{zooId}:{manifestModelId}"); upserting the same id overwrites.</param>
/// <param name="Vector">The vector; any non-zero length is accepted and stored L2-normalised.</param>
/// <param name="Payload">Filterable attributes and alignment version.</param>
public sealed record VectorPoint(string ModelId, float[] Vector, VectorPayload Payload);
