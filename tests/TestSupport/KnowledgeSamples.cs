using Know2Vec.Core.Knowledge;
using Xunit;

namespace Know2Vec.TestSupport;

/// <summary>Knowledge tensors for storage and format tests: random values plus bit patterns a sloppy round trip would change.</summary>
public static class KnowledgeSamples
{
    public static KnowledgeTensor Random(int classes, int dimension, int seed, string version = "probe-pool-v1")
    {
        var random = new Random(seed);
        var data = new float[classes * classes * dimension];
        for (var i = 0; i < data.Length; i++)
        {
            data[i] = (float)(random.NextDouble() * 4 - 1);
        }
        // Values whose bits a sloppy round trip would change.
        data[0] = -0.0f;
        if (data.Length > 3)
        {
            data[1] = float.Epsilon;
            data[2] = float.MaxValue;
            data[3] = -1.17549435E-38f;
        }
        var reached = new bool[classes];
        for (var c = 0; c < classes; c++)
        {
            reached[c] = c % 3 != 1;
        }
        return new KnowledgeTensor(classes, dimension, data, reached, version);
    }

    public static void AssertBitExact(KnowledgeTensor expected, KnowledgeTensor actual)
    {
        Assert.Equal(expected.Classes, actual.Classes);
        Assert.Equal(expected.Dimension, actual.Dimension);
        Assert.Equal(expected.ProbePoolVersion, actual.ProbePoolVersion);
        Assert.Equal(expected.Reached, actual.Reached);
        Assert.Equal(expected.Data.Length, actual.Data.Length);
        for (var i = 0; i < expected.Data.Length; i++)
        {
            Assert.Equal(BitConverter.SingleToInt32Bits(expected.Data[i]), BitConverter.SingleToInt32Bits(actual.Data[i]));
        }
    }
}
