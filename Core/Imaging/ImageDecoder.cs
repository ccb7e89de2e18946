using System.Runtime.InteropServices;
using Microsoft.Extensions.Options;
using SkiaSharp;

namespace Know2Vec.Core.Imaging;

/// <summary>
/// Decodes untrusted PNG/JPEG bytes into a <see cref="GrayImage"/>. Every failure surfaces as
/// <see cref="ImageDecodeException"/>; thread-safe.
/// </summary>
public sealed class ImageDecoder
{
    private readonly ImageDecoderOptions _options;

    public ImageDecoder(IOptions<ImageDecoderOptions> options)
    {
        _options = options.Value;
    }

    public ImageDecoder()
        : this(Options.Create(new ImageDecoderOptions()))
    {
    }

    /// <summary>
    /// Decodes <paramref name="encoded"/>. Colour images are converted to luminance; transparent
    /// pixels become black (premultiplied alpha), matching the white-on-black convention of the zoo.
    /// </summary>
    /// <exception cref="ImageDecodeException">The bytes are not a complete, accepted image within the size limits.</exception>
    public GrayImage Decode(ReadOnlySpan<byte> encoded)
    {
        if (encoded.IsEmpty)
        {
            throw new ImageDecodeException(ImageDecodeError.Unrecognized, "The image is empty.");
        }

        using var data = SKData.CreateCopy(encoded);
        // SKCodec.Create returns null on unrecognised bytes (SKBitmap.Decode would throw
        // ArgumentNullException instead), so the codec is the path that can be checked.
        using var codec = SKCodec.Create(data)
            ?? throw new ImageDecodeException(ImageDecodeError.Unrecognized, "The data is not a recognised image (PNG or JPEG expected).");

        if (codec.EncodedFormat is not (SKEncodedImageFormat.Png or SKEncodedImageFormat.Jpeg))
        {
            throw new ImageDecodeException(ImageDecodeError.UnsupportedFormat, $"Image format {codec.EncodedFormat} is not accepted (PNG or JPEG expected).");
        }

        var (width, height) = (codec.Info.Width, codec.Info.Height);
        if (width <= 0 || height <= 0 || width > _options.MaxWidth || height > _options.MaxHeight)
        {
            throw new ImageDecodeException(
                ImageDecodeError.TooLarge,
                $"The image is {width}×{height} pixels; the limit is {_options.MaxWidth}×{_options.MaxHeight}.");
        }

        // Grey images decode straight to Gray8; colour ones are decoded natively, then converted.
        var gray = codec.Info.ColorType == SKColorType.Gray8;
        var info = new SKImageInfo(width, height, gray ? SKColorType.Gray8 : SKColorType.Rgba8888, gray ? SKAlphaType.Opaque : SKAlphaType.Premul);
        using var decoded = new SKBitmap(info);
        var result = codec.GetPixels(info, decoded.GetPixels());
        if (result != SKCodecResult.Success)
        {
            // IncompleteInput: a truncated file; Skia would fill the rest with zeros, which would
            // silently become a different image.
            throw new ImageDecodeException(ImageDecodeError.Corrupt, result == SKCodecResult.IncompleteInput
                ? "The image data is truncated."
                : "The image data is corrupt.");
        }

        if (gray)
        {
            return Shrunk(ToGrayImage(decoded));
        }

        using var converted = decoded.Copy(SKColorType.Gray8)
            ?? throw new ImageDecodeException(ImageDecodeError.Corrupt, "The image could not be converted to greyscale.");
        return Shrunk(ToGrayImage(converted));
    }

    private GrayImage Shrunk(GrayImage image)
    {
        var longest = Math.Max(image.Width, image.Height);
        if (longest <= _options.WorkingSize)
        {
            return image;
        }

        var scale = (double)_options.WorkingSize / longest;
        return ImageResize.Bilinear(image, Math.Max(1, (int)Math.Round(image.Width * scale)), Math.Max(1, (int)Math.Round(image.Height * scale)));
    }

    private static GrayImage ToGrayImage(SKBitmap gray8)
    {
        var width = gray8.Width;
        var height = gray8.Height;
        var stride = gray8.RowBytes;
        var bytes = gray8.GetPixelSpan();
        var pixels = new float[width * height];
        for (var y = 0; y < height; y++)
        {
            var row = bytes.Slice(y * stride, width);
            var dst = pixels.AsSpan(y * width, width);
            for (var x = 0; x < width; x++)
            {
                dst[x] = row[x] / 255f;
            }
        }

        return new GrayImage(width, height, pixels);
    }
}
