using Know2Vec.Core.Knowledge;

namespace Know2Vec.Core.Alignment;

/// <summary>A class of the query: its name (the user's label or a pseudo-class) and the featurizer features of its samples.</summary>
public sealed record QueryClass(string Name, IReadOnlyList<float[]> Features);

/// <summary>
/// The aligned space: the model tower f_M and the query tower f_Q, both ending in L2-normalised
/// vectors of <see cref="Dimension"/> so that the score is a cosine. The zero-shot alignment is
/// parameter-free; a trained one replaces it behind this interface. <see cref="Version"/> is stored
/// with every vector so that switching alignment is visible and re-encodable.
/// </summary>
public interface IAlignment
{
    string Version { get; }

    int Dimension { get; }

    /// <summary>
    /// True when models are best ordered by matching class vectors (the zero-shot case: one mean
    /// vector per side ranks poorly); false when the towers' cosine is the score (trained).
    /// </summary>
    bool RanksByClassMatch { get; }

    /// <summary>f_M: a model's knowledge tensor to one unit vector.</summary>
    float[] EncodeModel(KnowledgeTensor knowledge);

    /// <summary>f_Q: a query's classes to one unit vector.</summary>
    float[] EncodeQuery(IReadOnlyList<QueryClass> query);

    /// <summary>Per-class vectors of a model in the space used for class matches (unit length; null for unreached classes).</summary>
    float[]?[] ModelClassVectors(KnowledgeTensor knowledge);

    /// <summary>Per-class vectors of a query in the same space as <see cref="ModelClassVectors"/>.</summary>
    float[][] QueryClassVectors(IReadOnlyList<QueryClass> query);
}
