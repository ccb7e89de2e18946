using System.Buffers.Binary;
using Know2Vec.Core.Knowledge;
using Know2Vec.TestSupport;

namespace Know2Vec.Core.Tests.Knowledge;

public sealed class KnowledgeTensorTests
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(3, 5)]
    [InlineData(10, 512)]
    public void ToBytes_from_bytes_round_trips_bit_exact(int classes, int dimension)
    {
        var tensor = KnowledgeSamples.Random(classes, dimension, seed: classes * 31 + dimension, version: "pool-ü-2025.1");

        var copy = KnowledgeTensor.FromBytes(tensor.ToBytes());

        KnowledgeSamples.AssertBitExact(tensor, copy);
    }

    [Fact]
    public void ToBytes_writes_the_documented_little_endian_layout()
    {
        var data = new float[2 * 2 * 3];
        for (var i = 0; i < data.Length; i++)
        {
            data[i] = i + 0.5f;
        }
        var tensor = new KnowledgeTensor(2, 3, data, [true, false], "v1");

        var bytes = tensor.ToBytes();

        Assert.Equal("K2VK"u8.ToArray(), bytes[..4]);
        Assert.Equal(KnowledgeTensor.FormatVersion, BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(4)));
        Assert.Equal(2, BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(8)));
        Assert.Equal(3, BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(12)));
        Assert.Equal(2, BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(16)));
        Assert.Equal("v1"u8.ToArray(), bytes[20..22]);
        Assert.Equal(new byte[] { 1, 0 }, bytes[22..24]);
        // Header ends at 24, already a multiple of 4: the floats follow directly.
        const int dataOffset = 24;
        Assert.Equal(dataOffset + data.Length * 4, bytes.Length);
        for (var i = 0; i < data.Length; i++)
        {
            Assert.Equal(data[i], BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(dataOffset + 4 * i)));
        }
    }

    [Fact]
    public void ToBytes_aligns_the_floats_to_four_bytes()
    {
        // 20 + 3 (version) + 2 (flags) = 25 → floats start at 28.
        var tensor = new KnowledgeTensor(2, 1, [1f, 2f, 3f, 4f], [true, true], "abc");

        var bytes = tensor.ToBytes();

        Assert.Equal(28 + 16, bytes.Length);
        Assert.Equal(new byte[] { 0, 0, 0 }, bytes[25..28]);
        Assert.Equal(1f, BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(28)));
    }

    [Fact]
    public void NodeAndBoundary_read_the_documented_layout()
    {
        const int classes = 3, dimension = 2;
        var data = new float[classes * classes * dimension];
        for (var i = 0; i < classes; i++)
        {
            for (var j = 0; j < classes; j++)
            {
                data[(i * classes + j) * dimension] = 10 * i + j;
                data[(i * classes + j) * dimension + 1] = -(10 * i + j);
            }
        }
        var tensor = new KnowledgeTensor(classes, dimension, data, [true, true, false], "v");

        Assert.Equal(new[] { 11f, -11f }, tensor.Node(1).ToArray());
        Assert.Equal(new[] { 21f, -21f }, tensor.Boundary(2, 1).ToArray());
        Assert.Equal(new[] { 2f, -2f }, tensor.Boundary(0, 2).ToArray());
        Assert.Throws<ArgumentException>(() => tensor.Boundary(1, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => tensor.Node(3));
        Assert.Throws<ArgumentOutOfRangeException>(() => tensor.Boundary(-1, 0));
    }

    [Fact]
    public void Constructor_rejects_inconsistent_input()
    {
        Assert.Throws<ArgumentException>(() => new KnowledgeTensor(2, 3, new float[11], [true, true], "v"));
        Assert.Throws<ArgumentException>(() => new KnowledgeTensor(2, 3, new float[12], [true], "v"));
        Assert.Throws<ArgumentOutOfRangeException>(() => new KnowledgeTensor(0, 3, [], [], "v"));
        Assert.Throws<ArgumentOutOfRangeException>(() => new KnowledgeTensor(2, 0, [], [true, true], "v"));
        Assert.Throws<ArgumentNullException>(() => new KnowledgeTensor(1, 1, null!, [true], "v"));
        Assert.Throws<ArgumentNullException>(() => new KnowledgeTensor(1, 1, [0f], null!, "v"));
        Assert.ThrowsAny<ArgumentException>(() => new KnowledgeTensor(1, 1, [0f], [true], " "));
        Assert.Throws<ArgumentException>(() => new KnowledgeTensor(1, 2, [0f, float.NaN], [true], "v"));
        Assert.Throws<ArgumentException>(() => new KnowledgeTensor(1, 2, [float.PositiveInfinity, 0f], [true], "v"));
    }

    [Fact]
    public void FromBytes_rejects_damaged_input()
    {
        var bytes = KnowledgeSamples.Random(3, 4, seed: 7).ToBytes();

        Assert.Throws<FormatException>(() => KnowledgeTensor.FromBytes([]));
        Assert.Throws<FormatException>(() => KnowledgeTensor.FromBytes(bytes[..^1]));
        Assert.Throws<FormatException>(() => KnowledgeTensor.FromBytes([.. bytes, 0]));

        var badMagic = (byte[])bytes.Clone();
        badMagic[0] = (byte)'X';
        Assert.Throws<FormatException>(() => KnowledgeTensor.FromBytes(badMagic));

        var futureVersion = (byte[])bytes.Clone();
        BinaryPrimitives.WriteInt32LittleEndian(futureVersion.AsSpan(4), KnowledgeTensor.FormatVersion + 1);
        Assert.Throws<FormatException>(() => KnowledgeTensor.FromBytes(futureVersion));

        // A corrupt header asking for a huge tensor is refused before anything is allocated.
        var huge = (byte[])bytes.Clone();
        BinaryPrimitives.WriteInt32LittleEndian(huge.AsSpan(8), int.MaxValue);
        Assert.Throws<FormatException>(() => KnowledgeTensor.FromBytes(huge));

        var badFlag = (byte[])bytes.Clone();
        var versionLength = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(16));
        badFlag[20 + versionLength] = 2;
        Assert.Throws<FormatException>(() => KnowledgeTensor.FromBytes(badFlag));
    }
}
