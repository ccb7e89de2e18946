using System.Numerics.Tensors;

namespace Know2Vec.Core.Vectors;

/// <summary>
/// The one validation and normalisation every <see cref="IVectorIndex"/> applies on the way in, so
/// that all implementations refuse and store exactly the same points (the contract suite relies on it).
/// </summary>
public static class VectorValidation
{
    /// <summary>Checks the ids of a delete; false when there are none (nothing to do).</summary>
    public static bool AnyIds(IReadOnlyList<string> modelIds)
    {
        ArgumentNullException.ThrowIfNull(modelIds);
        foreach (var modelId in modelIds)
        {
            ArgumentNullException.ThrowIfNull(modelId, nameof(modelIds));
        }

        return modelIds.Count > 0;
    }

    /// <summary>
    /// Validates a batch; returns normalised copies (tags copied too: callers' lists may be mutable)
    /// with the last point of each id (a later point in the batch wins). Empty for an empty batch.
    /// </summary>
    public static VectorPoint[] Prepare(IReadOnlyList<VectorPoint> points)
    {
        ArgumentNullException.ThrowIfNull(points);
        var byId = new Dictionary<string, int>(StringComparer.Ordinal);
        var prepared = new List<VectorPoint>(points.Count);
        for (var i = 0; i < points.Count; i++)
        {
            var point = points[i] ?? throw new ArgumentException($"points[{i}] is null.", nameof(points));
            if (string.IsNullOrEmpty(point.ModelId))
            {
                throw new ArgumentException($"points[{i}] has no model id.", nameof(points));
            }
            var payload = point.Payload ?? throw new ArgumentException($"points[{i}] ('{point.ModelId}') has no payload.", nameof(points));
            if (payload.ZooId is null || payload.Architecture is null || payload.AlignmentVersion is null || payload.Tags is null
                || payload.Tags.Any(t => t is null))
            {
                throw new ArgumentException($"points[{i}] ('{point.ModelId}') has a payload with a null field.", nameof(points));
            }
            if (point.Vector is null || point.Vector.Length == 0)
            {
                throw new ArgumentException($"points[{i}] ('{point.ModelId}') has an empty vector.", nameof(points));
            }
            if (prepared.Count > 0 && point.Vector.Length != prepared[0].Vector.Length)
            {
                throw new ArgumentException(
                    $"points[{i}] ('{point.ModelId}') has {point.Vector.Length} dimensions; points[0] has {prepared[0].Vector.Length}. All vectors of an index share one dimension.",
                    nameof(points));
            }
            var copy = new VectorPoint(point.ModelId, Normalise(point.Vector, $"points[{i}].Vector"), payload with { Tags = payload.Tags.ToArray() });
            if (byId.TryGetValue(point.ModelId, out var at))
            {
                prepared[at] = copy;
            }
            else
            {
                byId[point.ModelId] = prepared.Count;
                prepared.Add(copy);
            }
        }
        return [.. prepared];
    }

    public static float[] Normalise(float[] vector, string name)
    {
        if (vector.Length == 0)
        {
            throw new ArgumentException($"{name} is empty.", name);
        }
        if (!TensorPrimitives.IsFiniteAll<float>(vector))
        {
            throw new ArgumentException($"{name} contains NaN or infinite values.", name);
        }
        var norm = TensorPrimitives.Norm<float>(vector);
        if (!(norm > 0f) || !float.IsFinite(norm))
        {
            throw new ArgumentException($"{name} has norm {norm}; cosine similarity needs a non-zero, finite vector.", name);
        }
        var result = new float[vector.Length];
        TensorPrimitives.Divide(vector, norm, result);
        return result;
    }
}
