namespace Know2Vec.Core.Imaging;

/// <summary>
/// An image of 1 (grey) or 3 (red, green, blue) channels: <see cref="Pixels"/> holds the channels one
/// plane after the other, each Width×Height row-major intensities in 0..1 (0 = black). The common
/// currency between decoding, probing, featurizing and running models; grey is derived only where
/// a consumer takes one channel (<see cref="ToGrey"/>).
/// </summary>
public sealed class RasterImage
{
    /// <summary>ITU-R BT.601 luma weights (what PIL's convert("L") uses).</summary>
    private const float LumaR = 0.299f, LumaG = 0.587f, LumaB = 0.114f;

    public RasterImage(int width, int height, float[] pixels, int channels = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        ArgumentNullException.ThrowIfNull(pixels);
        if (channels is not (1 or 3))
        {
            throw new ArgumentOutOfRangeException(nameof(channels), channels, "An image has 1 (grey) or 3 (RGB) channels.");
        }

        if (pixels.Length != (long)width * height * channels)
        {
            throw new ArgumentException($"Expected {channels}×{width}×{height} = {(long)width * height * channels} values, got {pixels.Length}.", nameof(pixels));
        }

        Width = width;
        Height = height;
        Channels = channels;
        Pixels = pixels;
    }

    public int Width { get; }

    public int Height { get; }

    /// <summary>1 (grey) or 3 (red, green, blue).</summary>
    public int Channels { get; }

    /// <summary>Whether this is a one-channel image.</summary>
    public bool IsGrey => Channels == 1;

    /// <summary>The planes one after the other, row-major intensities in 0..1. Not copied: treat as read-only once shared.</summary>
    public float[] Pixels { get; }

    /// <summary>Values per plane: Width × Height.</summary>
    public int PlaneLength => Width * Height;

    /// <summary>Grey intensity at column <paramref name="x"/>, row <paramref name="y"/> (luma for a colour image).</summary>
    public float this[int x, int y] => IsGrey
        ? Pixels[(y * Width) + x]
        : Luma(Pixels[(y * Width) + x], Pixels[PlaneLength + (y * Width) + x], Pixels[(2 * PlaneLength) + (y * Width) + x]);

    /// <summary>Channel <paramref name="channel"/>'s plane.</summary>
    public ReadOnlySpan<float> Plane(int channel) => Pixels.AsSpan(channel * PlaneLength, PlaneLength);

    /// <summary>This image as one grey plane: itself when grey, BT.601 luma of a colour one.</summary>
    public RasterImage ToGrey()
    {
        if (IsGrey)
        {
            return this;
        }

        var grey = new float[PlaneLength];
        var r = Plane(0);
        var g = Plane(1);
        var b = Plane(2);
        for (var i = 0; i < grey.Length; i++)
        {
            grey[i] = Luma(r[i], g[i], b[i]);
        }

        return new RasterImage(Width, Height, grey);
    }

    /// <summary>Builds a grey image from 8-bit intensities (value / 255).</summary>
    public static RasterImage FromBytes(int width, int height, ReadOnlySpan<byte> gray8)
    {
        var pixels = new float[gray8.Length];
        for (var i = 0; i < gray8.Length; i++)
        {
            pixels[i] = gray8[i] / 255f;
        }

        return new RasterImage(width, height, pixels);
    }

    private static float Luma(float r, float g, float b) => (LumaR * r) + (LumaG * g) + (LumaB * b);
}
