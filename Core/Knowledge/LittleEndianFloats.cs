using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Know2Vec.Core.Knowledge;

/// <summary>
/// float32 arrays as little-endian bytes: the one encoding of every float BLOB we store
/// (knowledge tensors, vectors), so files move between machines and Python reads them with
/// <c>numpy.frombuffer(..., dtype="&lt;f4")</c>.
/// </summary>
public static class LittleEndianFloats
{
    public static byte[] ToBytes(ReadOnlySpan<float> values)
    {
        var bytes = new byte[values.Length * sizeof(float)];
        Write(values, bytes);
        return bytes;
    }

    public static float[] FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length % sizeof(float) != 0)
        {
            throw new FormatException($"A float32 BLOB must be a multiple of 4 bytes; got {bytes.Length}.");
        }
        var values = new float[bytes.Length / sizeof(float)];
        Read(bytes, values);
        return values;
    }

    public static void Write(ReadOnlySpan<float> values, Span<byte> destination)
    {
        if (BitConverter.IsLittleEndian)
        {
            // Bit-exact block copy: the in-memory layout already is the storage layout.
            MemoryMarshal.AsBytes(values).CopyTo(destination);
            return;
        }
        for (var i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(destination[(i * sizeof(float))..], values[i]);
        }
    }

    public static void Read(ReadOnlySpan<byte> source, Span<float> destination)
    {
        if (BitConverter.IsLittleEndian)
        {
            source[..(destination.Length * sizeof(float))].CopyTo(MemoryMarshal.AsBytes(destination));
            return;
        }
        for (var i = 0; i < destination.Length; i++)
        {
            destination[i] = BinaryPrimitives.ReadSingleLittleEndian(source[(i * sizeof(float))..]);
        }
    }
}
