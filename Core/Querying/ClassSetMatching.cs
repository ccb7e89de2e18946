using System.Numerics.Tensors;
using Know2Vec.Core.Alignment;

namespace Know2Vec.Core.Querying;

/// <summary>
/// The class-set match that orders candidates: each query class against its best model class and
/// each reached model class against its best query class. One place for the service and the evaluation.
/// </summary>
public static class ClassSetMatching
{
    /// <summary>
    /// Mean of (each query class's best model-class similarity) and, when <paramref name="symmetric"/>,
    /// (each reached model class's best query-class similarity): the model must cover the query's
    /// classes, and extra classes the query does not have cost it. -1 when no model class was reached.
    /// </summary>
    /// <param name="query">Unit query class vectors.</param>
    /// <param name="model">Unit model class vectors; null for classes the model never predicted on the probe pool.</param>
    /// <param name="symmetric">Also score model → query (the service's choice); false: query → model only.</param>
    public static float Score(float[][] query, float[]?[] model, bool symmetric = true) =>
        Compare(query, model, symmetric).Score;

    /// <summary>
    /// <see cref="Score"/> (symmetric) with the explanation: for each query class, the model class that
    /// matches it best and their similarity.
    /// </summary>
    public static (float Score, IReadOnlyList<ClassMatch> ClassMatches) Match(
        IReadOnlyList<QueryClass> classes, float[][] queryVectors, float[]?[] modelVectors, IReadOnlyList<string> modelLabels)
    {
        var (score, best) = Compare(queryVectors, modelVectors, symmetric: true);
        var matches = new ClassMatch[classes.Count];
        for (var q = 0; q < classes.Count; q++)
        {
            var (m, similarity) = best[q];
            matches[q] = new ClassMatch(classes[q].Name, m < 0 ? "" : modelLabels[m], similarity);
        }

        return (score, matches);
    }

    private static (float Score, (int Model, float Similarity)[] Best) Compare(float[][] query, float[]?[] model, bool symmetric)
    {
        var best = new (int Model, float Similarity)[query.Length];
        if (!model.Any(v => v is not null))
        {
            Array.Fill(best, (-1, -1f));
            return (-1, best);
        }

        double queryToModel = 0;
        for (var q = 0; q < query.Length; q++)
        {
            best[q] = (-1, float.NegativeInfinity);
            for (var m = 0; m < model.Length; m++)
            {
                if (model[m] is { } v && TensorPrimitives.Dot(query[q], v) is var s && s > best[q].Similarity)
                {
                    best[q] = (m, s);
                }
            }

            queryToModel += best[q].Similarity;
        }

        queryToModel /= query.Length;
        if (!symmetric)
        {
            return ((float)queryToModel, best);
        }

        var reached = model.Where(v => v is not null).Cast<float[]>().ToList();
        var modelToQuery = reached.Average(v => query.Max(q => TensorPrimitives.Dot(q, v)));
        return ((float)((queryToModel + modelToQuery) / 2), best);
    }
}
