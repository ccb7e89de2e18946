using System.Numerics.Tensors;
using Know2Vec.Core.Alignment;
using Know2Vec.Core.Knowledge;

namespace Know2Vec.Core.Tests.Method;

/// <summary>
/// The parameter-free alignment: unit vectors, blind to class order (a model's class order and a
/// query's label order mean nothing), unreached classes ignored, optional centring.
/// </summary>
public sealed class ZeroShotAlignmentTests
{
    private const int D = 16;
    private const float Tolerance = 1e-5f;

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public void Every_output_has_unit_length(bool useBoundaries, bool centred)
    {
        var alignment = new ZeroShotAlignment(centred ? Centre() : new float[D], useBoundaries);
        var knowledge = Tensor(classes: 4, seed: 1);
        var query = Query(seed: 2, classes: 3);

        Assert.Equal(1f, TensorPrimitives.Norm(alignment.EncodeModel(knowledge)), Tolerance);
        Assert.Equal(1f, TensorPrimitives.Norm(alignment.EncodeQuery(query)), Tolerance);
        Assert.All(alignment.ModelClassVectors(knowledge), v => Assert.Equal(1f, TensorPrimitives.Norm(v!), Tolerance));
        Assert.All(alignment.QueryClassVectors(query), v => Assert.Equal(1f, TensorPrimitives.Norm(v), Tolerance));
        Assert.Equal(D, alignment.Dimension);
        Assert.Equal(D, alignment.EncodeModel(knowledge).Length);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Model_vector_does_not_depend_on_class_order(bool useBoundaries)
    {
        var alignment = new ZeroShotAlignment(Centre(), useBoundaries);
        var knowledge = Tensor(classes: 5, seed: 3, reached: [true, true, false, true, true]);
        var permutation = new[] { 3, 0, 4, 2, 1 }; // class c moves to position permutation[c]

        var permuted = Permute(knowledge, permutation);

        AssertClose(alignment.EncodeModel(knowledge), alignment.EncodeModel(permuted));
        // Class vectors move with their classes.
        var original = alignment.ModelClassVectors(knowledge);
        var moved = alignment.ModelClassVectors(permuted);
        for (var c = 0; c < 5; c++)
        {
            if (original[c] is null)
            {
                Assert.Null(moved[permutation[c]]);
            }
            else
            {
                AssertClose(original[c]!, moved[permutation[c]]!);
            }
        }
    }

    [Fact]
    public void Boundaries_do_change_the_model_vector_when_enabled()
    {
        var knowledge = Tensor(classes: 3, seed: 4);

        var nodesOnly = new ZeroShotAlignment(new float[D]).EncodeModel(knowledge);
        var withBoundaries = new ZeroShotAlignment(new float[D], useBoundaries: true).EncodeModel(knowledge);

        Assert.True(TensorPrimitives.Distance(nodesOnly, withBoundaries) > 1e-3f);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Unreached_classes_are_ignored(bool useBoundaries)
    {
        var alignment = new ZeroShotAlignment(Centre(), useBoundaries);
        // Class 1 is unreached but carries (garbage) data in its node and boundary rows: it must not count.
        var full = Tensor(classes: 3, seed: 5, reached: [true, false, true]);
        var withoutClass1 = Select(full, [0, 2]);

        AssertClose(alignment.EncodeModel(withoutClass1), alignment.EncodeModel(full));
        var vectors = alignment.ModelClassVectors(full);
        Assert.Null(vectors[1]);
        AssertClose(alignment.ModelClassVectors(withoutClass1)[1]!, vectors[2]!);
    }

    [Fact]
    public void Model_vector_is_the_normalised_sum_of_unit_class_vectors()
    {
        var alignment = new ZeroShotAlignment(new float[D]);
        var data = new float[2 * 2 * D];
        data[0] = 10f;              // node 0 = 10·e0
        data[(3 * D) + 1] = 0.5f;   // node 1 = 0.5·e1: every class weighs the same whatever its norm
        data[(1 * D) + 5] = 7f;     // boundary (0,1), ignored without boundaries
        var knowledge = new KnowledgeTensor(2, D, data, [true, true], "test");

        var expected = new float[D];
        expected[0] = expected[1] = 1 / MathF.Sqrt(2);
        AssertClose(expected, alignment.EncodeModel(knowledge));
        Assert.Equal("zero-shot-v1", alignment.Version);
    }

    [Fact]
    public void Query_vector_does_not_depend_on_class_or_sample_order()
    {
        var alignment = new ZeroShotAlignment(Centre());
        var query = Query(seed: 6, classes: 4);
        var reordered = query.AsEnumerable().Reverse()
            .Select(q => new QueryClass(q.Name + "-renamed", q.Features.Reverse().ToList()))
            .ToList();

        AssertClose(alignment.EncodeQuery(query), alignment.EncodeQuery(reordered));
        AssertClose(alignment.QueryClassVectors(query)[0], alignment.QueryClassVectors(reordered)[3]);
    }

    [Fact]
    public void Query_class_vector_is_the_normalised_prototype()
    {
        var alignment = new ZeroShotAlignment(new float[D]);
        var f1 = new float[D];
        var f2 = new float[D];
        f1[0] = 4;
        f2[1] = 4;

        var vector = alignment.QueryClassVectors([new QueryClass("x", [f1, f2])])[0];

        var expected = new float[D];
        expected[0] = expected[1] = 1 / MathF.Sqrt(2);
        AssertClose(expected, vector);
    }

    [Fact]
    public void Centre_is_subtracted_before_normalising()
    {
        var centre = Centre();
        var alignment = new ZeroShotAlignment(centre);
        var data = new float[2 * 2 * D];
        for (var k = 0; k < D; k++)
        {
            data[k] = centre[k];                // node 0 = centre + 3·e2
            data[(3 * D) + k] = centre[k];      // node 1 = centre + 2·e7
        }

        data[2] += 3;
        data[(3 * D) + 7] += 2;
        var knowledge = new KnowledgeTensor(2, D, data, [true, true], "test");

        var vectors = alignment.ModelClassVectors(knowledge);
        AssertClose(Unit(2), vectors[0]!);
        AssertClose(Unit(7), vectors[1]!);
        var model = alignment.EncodeModel(knowledge);
        Assert.Equal(1 / MathF.Sqrt(2), model[2], Tolerance);
        Assert.Equal(1 / MathF.Sqrt(2), model[7], Tolerance);

        // The query side is centred the same way: a query feature at centre + e7 lands on e7.
        var feature = centre.Select((v, k) => k == 7 ? v + 1 : v).ToArray();
        AssertClose(Unit(7), alignment.QueryClassVectors([new QueryClass("q", [feature])])[0]);

        Assert.Equal("zero-shot-v1-centred", alignment.Version);
        Assert.Equal("zero-shot-v1-centred+boundaries", new ZeroShotAlignment(centre, useBoundaries: true).Version);
        Assert.Equal("zero-shot-v1+boundaries", new ZeroShotAlignment(new float[D], useBoundaries: true).Version);
    }

    [Fact]
    public void Centring_removes_the_shared_component_that_makes_uncentred_vectors_alike()
    {
        // Two classes that differ only slightly on top of a large common part, like ResNet features.
        var centre = Enumerable.Repeat(5f, D).ToArray();
        var data = new float[2 * 2 * D];
        for (var k = 0; k < D; k++)
        {
            data[k] = data[(3 * D) + k] = 5f;
        }

        data[0] += 1;
        data[(3 * D) + 1] += 1;
        var knowledge = new KnowledgeTensor(2, D, data, [true, true], "test");

        var plain = new ZeroShotAlignment(new float[D]).ModelClassVectors(knowledge);
        var centred = new ZeroShotAlignment(centre).ModelClassVectors(knowledge);

        Assert.True(TensorPrimitives.Dot(plain[0]!, plain[1]!) > 0.9f);
        Assert.Equal(0f, TensorPrimitives.Dot(centred[0]!, centred[1]!), Tolerance);
    }

    [Fact]
    public void Normalised_and_Mean_helpers()
    {
        var v = new float[] { 3, 4 };
        Assert.Same(v, ZeroShotAlignment.Normalised(v));
        Assert.Equal([0.6f, 0.8f], v);
        Assert.Equal([0f, 0f], ZeroShotAlignment.Normalised([0f, 0f])); // zero stays zero, no NaN
        Assert.Equal([2f, 3f], ZeroShotAlignment.Mean([[1f, 2f], [3f, 4f]]));
    }

    private static float[] Centre()
    {
        var random = new Random(99);
        return Enumerable.Range(0, D).Select(_ => (float)random.NextDouble()).ToArray();
    }

    private static float[] Unit(int axis)
    {
        var v = new float[D];
        v[axis] = 1;
        return v;
    }

    /// <summary>Non-negative random features (like ResNet's) in every row, reached or not.</summary>
    private static KnowledgeTensor Tensor(int classes, int seed, bool[]? reached = null)
    {
        var random = new Random(seed);
        var data = Enumerable.Range(0, classes * classes * D).Select(_ => (float)random.NextDouble() * 3).ToArray();
        return new KnowledgeTensor(classes, D, data, reached ?? Enumerable.Repeat(true, classes).ToArray(), "test");
    }

    private static List<QueryClass> Query(int seed, int classes)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, classes)
            .Select(c => new QueryClass($"class-{c}", Enumerable.Range(0, 3)
                .Select(_ => Enumerable.Range(0, D).Select(_ => (float)random.NextDouble() * 3).ToArray())
                .ToList()))
            .ToList();
    }

    /// <summary>The same knowledge with class c renumbered permutation[c] (rows and columns).</summary>
    private static KnowledgeTensor Permute(KnowledgeTensor k, int[] permutation)
    {
        var c = k.Classes;
        var data = new float[k.Data.Length];
        var reached = new bool[c];
        for (var i = 0; i < c; i++)
        {
            reached[permutation[i]] = k.Reached[i];
            for (var j = 0; j < c; j++)
            {
                k.Data.AsSpan(((i * c) + j) * D, D).CopyTo(data.AsSpan(((permutation[i] * c) + permutation[j]) * D, D));
            }
        }

        return new KnowledgeTensor(c, D, data, reached, k.ProbePoolVersion);
    }

    /// <summary>The sub-tensor of the given classes, in that order.</summary>
    private static KnowledgeTensor Select(KnowledgeTensor k, int[] classes)
    {
        var n = classes.Length;
        var data = new float[n * n * D];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < n; j++)
            {
                k.Data.AsSpan(((classes[i] * k.Classes) + classes[j]) * D, D).CopyTo(data.AsSpan(((i * n) + j) * D, D));
            }
        }

        return new KnowledgeTensor(n, D, data, classes.Select(c => k.Reached[c]).ToArray(), k.ProbePoolVersion);
    }

    private static void AssertClose(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var k = 0; k < expected.Length; k++)
        {
            Assert.Equal(expected[k], actual[k], Tolerance);
        }
    }
}
