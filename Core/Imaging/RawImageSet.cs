namespace Know2Vec.Core.Imaging;

/// <summary>
/// Reader for the project's raw image-set format: N×H×W unsigned bytes, row-major, no header
/// (N = file length / (H·W)). H and W come from the manifest that names the file.
/// </summary>
public static class RawImageSet
{
    /// <summary>Reads every image of a raw file; pixels are scaled to 0..1 (byte / 255).</summary>
    /// <exception cref="InvalidDataException">The file length is not a multiple of H·W.</exception>
    public static IReadOnlyList<RasterImage> Read(string path, int height, int width) =>
        Parse(File.ReadAllBytes(path), height, width);

    /// <summary>Parses raw bytes already in memory; see <see cref="Read"/>.</summary>
    public static IReadOnlyList<RasterImage> Parse(ReadOnlySpan<byte> bytes, int height, int width)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        var size = height * width;
        if (bytes.Length % size != 0)
        {
            throw new InvalidDataException($"A raw image set of {height}×{width} images must be a multiple of {size} bytes long; got {bytes.Length}.");
        }

        var images = new RasterImage[bytes.Length / size];
        for (var i = 0; i < images.Length; i++)
        {
            images[i] = RasterImage.FromBytes(width, height, bytes.Slice(i * size, size));
        }

        return images;
    }
}
