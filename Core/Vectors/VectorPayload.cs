namespace Know2Vec.Core.Vectors;

/// <summary>
/// What the index keeps beside each vector: the fields <see cref="Catalog.ModelFilter"/> filters on
/// (so a search never needs the catalog) and the alignment that produced the vector.
/// </summary>
/// <param name="ZooId">Zoo of the model.</param>
/// <param name="Architecture">Architecture of the model.</param>
/// <param name="Tags">Tags of the model.</param>
/// <param name="Parameters">Number of parameters of the model.</param>
/// <param name="AlignmentVersion">Version of the model tower f_M (or "zero-shot") that made the vector: a vector is only comparable with queries embedded by the same alignment.</param>
public sealed record VectorPayload(
    string ZooId,
    string Architecture,
    IReadOnlyList<string> Tags,
    long Parameters,
    string AlignmentVersion);
