namespace Know2Vec.Core.Imaging;

/// <summary>
/// A single-channel image: <see cref="Pixels"/> holds Width×Height intensities, row-major,
/// in 0..1 (0 = black). The common currency between decoding, probing and featurizing.
/// </summary>
public sealed class GrayImage
{
    public GrayImage(int width, int height, float[] pixels)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        ArgumentNullException.ThrowIfNull(pixels);
        if (pixels.Length != (long)width * height)
        {
            throw new ArgumentException($"Expected {width}×{height} = {(long)width * height} pixels, got {pixels.Length}.", nameof(pixels));
        }

        Width = width;
        Height = height;
        Pixels = pixels;
    }

    public int Width { get; }

    public int Height { get; }

    /// <summary>Row-major intensities in 0..1. Not copied: treat as read-only once shared.</summary>
    public float[] Pixels { get; }

    /// <summary>Intensity at column <paramref name="x"/>, row <paramref name="y"/>.</summary>
    public float this[int x, int y] => Pixels[(y * Width) + x];

    /// <summary>Builds an image from 8-bit intensities (value / 255).</summary>
    public static GrayImage FromBytes(int width, int height, ReadOnlySpan<byte> gray8)
    {
        var pixels = new float[gray8.Length];
        for (var i = 0; i < gray8.Length; i++)
        {
            pixels[i] = gray8[i] / 255f;
        }

        return new GrayImage(width, height, pixels);
    }
}
