using System.Buffers.Binary;
using System.Text;

namespace Know2Vec.Core.Knowledge;

/// <summary>
/// A model's probed decision knowledge K_m (the Know2Vec paper's model side, step 4): a
/// [<see cref="Classes"/>, <see cref="Classes"/>, <see cref="Dimension"/>] tensor of featurizer
/// features. The diagonal [c, c, :] is the mean feature of class c's node probes; [i, j, :] for
/// i ≠ j is the feature of the boundary sample found between classes i and j. A row of zeros
/// marks an unknown entry (an unreached class, or a pair whose bisection found no flip).
/// </summary>
/// <remarks>
/// K_m is kept in storage so that re-aligning never needs re-probing, and node features power the
/// per-class explanations. The instance takes ownership of the arrays passed to the constructor
/// (no copy: a 100-class tensor of 512-d features is 20 MB) and must be treated as immutable.
/// </remarks>
public sealed class KnowledgeTensor
{
    /// <summary>Version of the <see cref="ToBytes"/> layout written by this code.</summary>
    public const int FormatVersion = 1;

    /// <summary>The four ASCII bytes every serialised tensor starts with ("K2VK").</summary>
    public static ReadOnlySpan<byte> Magic => "K2VK"u8;

    // Magic, format version, classes, dimension, probe-pool-version byte length.
    private const int FixedHeaderBytes = 4 + 4 + 4 + 4 + 4;

    /// <summary>Creates a tensor, validating that every length matches.</summary>
    /// <param name="classes">Number of classes C of the model (at least 1).</param>
    /// <param name="dimension">Length D of one featurizer feature (at least 1).</param>
    /// <param name="data">C·C·D finite floats, laid out [C, C, D] row-major.</param>
    /// <param name="reached">C flags: did the model ever predict class c on the probe pool.</param>
    /// <param name="probePoolVersion">Version of the probe pool the knowledge was measured on.</param>
    /// <exception cref="ArgumentException">A length does not match, a value is not finite, or the version is blank.</exception>
    public KnowledgeTensor(int classes, int dimension, float[] data, bool[] reached, string probePoolVersion)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(dimension, 1);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(reached);
        ArgumentException.ThrowIfNullOrWhiteSpace(probePoolVersion);

        var expected = ExpectedLength(classes, dimension);
        if (data.LongLength != expected)
        {
            throw new ArgumentException(
                $"Knowledge data must hold classes*classes*dimension = {expected} floats ({classes}x{classes}x{dimension}); got {data.LongLength}.",
                nameof(data));
        }
        if (reached.Length != classes)
        {
            throw new ArgumentException($"Reached must hold one flag per class ({classes}); got {reached.Length}.", nameof(reached));
        }
        // A NaN or infinity would silently poison every cosine computed from this tensor later,
        // far from the probe that produced it: refuse it here.
        if (!System.Numerics.Tensors.TensorPrimitives.IsFiniteAll<float>(data))
        {
            throw new ArgumentException("Knowledge data contains NaN or infinite values.", nameof(data));
        }

        Classes = classes;
        Dimension = dimension;
        Data = data;
        Reached = reached;
        ProbePoolVersion = probePoolVersion;
    }

    /// <summary>Number of classes C of the model.</summary>
    public int Classes { get; }

    /// <summary>Length D of one featurizer feature.</summary>
    public int Dimension { get; }

    /// <summary>The C·C·D features, laid out [C, C, D] row-major. Do not mutate.</summary>
    public float[] Data { get; }

    /// <summary>Per class: did the model ever predict it on the probe pool.</summary>
    public bool[] Reached { get; }

    /// <summary>Version of the probe pool the knowledge was measured on.</summary>
    public string ProbePoolVersion { get; }

    /// <summary>The node feature of class <paramref name="c"/> (the diagonal entry [c, c, :]).</summary>
    public ReadOnlySpan<float> Node(int c) => Entry(c, c);

    /// <summary>The boundary feature [i, j, :] between classes i and j (i ≠ j); zeros when unknown.</summary>
    public ReadOnlySpan<float> Boundary(int i, int j)
    {
        if (i == j)
        {
            throw new ArgumentException($"Boundary needs two different classes; use Node({i}) for the diagonal.", nameof(j));
        }
        return Entry(i, j);
    }

    private ReadOnlySpan<float> Entry(int i, int j)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(i);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(i, Classes);
        ArgumentOutOfRangeException.ThrowIfNegative(j);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(j, Classes);
        // Cannot overflow: (i*C + j)*D < C*C*D = Data.Length.
        return Data.AsSpan((i * Classes + j) * Dimension, Dimension);
    }

    /// <summary>
    /// Serialises the tensor, little-endian, for the catalog BLOB and the training-data export.
    /// Layout (offsets in bytes):
    /// <list type="bullet">
    /// <item>0: magic "K2VK" (4 ASCII bytes)</item>
    /// <item>4: int32 format version (<see cref="FormatVersion"/>)</item>
    /// <item>8: int32 classes C</item>
    /// <item>12: int32 dimension D</item>
    /// <item>16: int32 byte length L of the probe pool version</item>
    /// <item>20: L bytes, probe pool version as UTF-8</item>
    /// <item>20+L: C bytes, reached flags (0 or 1)</item>
    /// <item>then 0–3 zero bytes, so the floats start at a multiple of 4</item>
    /// <item>then C·C·D float32 values, [C, C, D] row-major</item>
    /// </list>
    /// </summary>
    public byte[] ToBytes()
    {
        // Fully qualified: Know2Vec.Core.Encoding would shadow System.Text.Encoding here.
        var version = System.Text.Encoding.UTF8.GetBytes(ProbePoolVersion);
        var dataOffset = DataOffset(version.Length, Classes);
        var bytes = new byte[checked(dataOffset + (long)Data.Length * sizeof(float))];
        var span = bytes.AsSpan();

        Magic.CopyTo(span);
        BinaryPrimitives.WriteInt32LittleEndian(span[4..], FormatVersion);
        BinaryPrimitives.WriteInt32LittleEndian(span[8..], Classes);
        BinaryPrimitives.WriteInt32LittleEndian(span[12..], Dimension);
        BinaryPrimitives.WriteInt32LittleEndian(span[16..], version.Length);
        version.CopyTo(span[FixedHeaderBytes..]);
        var flags = span.Slice(FixedHeaderBytes + version.Length, Classes);
        for (var c = 0; c < Classes; c++)
        {
            flags[c] = Reached[c] ? (byte)1 : (byte)0;
        }
        LittleEndianFloats.Write(Data, span[(int)dataOffset..]);
        return bytes;
    }

    /// <summary>Reads a tensor written by <see cref="ToBytes"/>.</summary>
    /// <exception cref="FormatException">The bytes are not a complete, supported serialised tensor.</exception>
    public static KnowledgeTensor FromBytes(byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        ReadOnlySpan<byte> span = bytes;
        if (span.Length < FixedHeaderBytes || !span[..4].SequenceEqual(Magic))
        {
            throw new FormatException("Not a serialised knowledge tensor (missing K2VK header).");
        }
        var format = BinaryPrimitives.ReadInt32LittleEndian(span[4..]);
        if (format != FormatVersion)
        {
            throw new FormatException($"Unsupported knowledge tensor format version {format}; this build reads version {FormatVersion}.");
        }
        var classes = BinaryPrimitives.ReadInt32LittleEndian(span[8..]);
        var dimension = BinaryPrimitives.ReadInt32LittleEndian(span[12..]);
        var versionLength = BinaryPrimitives.ReadInt32LittleEndian(span[16..]);
        if (classes < 1 || dimension < 1 || versionLength < 0)
        {
            throw new FormatException($"Invalid knowledge tensor header: classes={classes}, dimension={dimension}, version length={versionLength}.");
        }

        // Check the total length before allocating anything, so a corrupt header cannot ask for gigabytes.
        var dataOffset = DataOffset(versionLength, classes);
        var floats = ExpectedLength(classes, dimension);
        if (span.Length != dataOffset + floats * sizeof(float))
        {
            throw new FormatException(
                $"Knowledge tensor is {span.Length} bytes; its header ({classes}x{classes}x{dimension}) needs {dataOffset + floats * sizeof(float)}.");
        }
        if (floats > Array.MaxLength)
        {
            throw new FormatException($"Knowledge tensor of {floats} floats is too large to load.");
        }

        string version;
        try
        {
            version = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(span.Slice(FixedHeaderBytes, versionLength));
        }
        catch (DecoderFallbackException e)
        {
            throw new FormatException("Knowledge tensor probe pool version is not valid UTF-8.", e);
        }

        var reached = new bool[classes];
        var flags = span.Slice(FixedHeaderBytes + versionLength, classes);
        for (var c = 0; c < classes; c++)
        {
            reached[c] = flags[c] switch
            {
                0 => false,
                1 => true,
                _ => throw new FormatException($"Reached flag of class {c} is {flags[c]}; expected 0 or 1."),
            };
        }

        var data = new float[floats];
        LittleEndianFloats.Read(span[(int)dataOffset..], data);
        try
        {
            return new KnowledgeTensor(classes, dimension, data, reached, version);
        }
        catch (ArgumentException e)
        {
            throw new FormatException($"Serialised knowledge tensor is invalid: {e.Message}", e);
        }
    }

    private static long ExpectedLength(int classes, int dimension) => (long)classes * classes * dimension;

    private static long DataOffset(int versionLength, int classes)
    {
        var headerEnd = (long)FixedHeaderBytes + versionLength + classes;
        // Align the floats to 4 bytes so readers (numpy.frombuffer, MemoryMarshal) get aligned data.
        return (headerEnd + 3) & ~3L;
    }
}
