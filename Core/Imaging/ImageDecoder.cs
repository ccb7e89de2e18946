using System.Runtime.InteropServices;
using Microsoft.Extensions.Options;
using SkiaSharp;

namespace Know2Vec.Core.Imaging;

/// <summary>
/// Decodes untrusted PNG/JPEG bytes into a <see cref="RasterImage"/>. Every failure surfaces as
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
    public RasterImage Decode(ReadOnlySpan<byte> encoded)
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

        // Grey images decode straight to Gray8 and stay one channel; colour ones decode to
        // unpremultiplied RGBA and keep their colour, any transparency composited on white (cut-out
        // photos and icons are drawn on white).
        var gray = codec.Info.ColorType == SKColorType.Gray8;
        var info = new SKImageInfo(width, height, gray ? SKColorType.Gray8 : SKColorType.Rgba8888, gray ? SKAlphaType.Opaque : SKAlphaType.Unpremul);
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

        var image = gray ? FromGray8(decoded) : FromRgba(decoded);
        return Shrunk(Oriented(image, codec.EncodedOrigin));
    }

    /// <summary>The image as its camera meant it to be seen (the EXIF orientation of a JPEG applied).</summary>
    internal static RasterImage Oriented(RasterImage image, SKEncodedOrigin origin)
    {
        if (origin is SKEncodedOrigin.TopLeft or SKEncodedOrigin.Default)
        {
            return image;
        }

        var (w, h) = (image.Width, image.Height);
        var swap = origin is SKEncodedOrigin.LeftTop or SKEncodedOrigin.RightTop or SKEncodedOrigin.RightBottom or SKEncodedOrigin.LeftBottom;
        var (ow, oh) = swap ? (h, w) : (w, h);
        var plane = w * h;
        var pixels = new float[image.Pixels.Length];
        for (var y = 0; y < h; y++)
        {
            for (var x = 0; x < w; x++)
            {
                // Where the stored pixel (x, y) lands in the displayed image.
                var (dx, dy) = origin switch
                {
                    SKEncodedOrigin.TopRight => (w - 1 - x, y),
                    SKEncodedOrigin.BottomRight => (w - 1 - x, h - 1 - y),
                    SKEncodedOrigin.BottomLeft => (x, h - 1 - y),
                    SKEncodedOrigin.LeftTop => (y, x),
                    SKEncodedOrigin.RightTop => (h - 1 - y, x),
                    SKEncodedOrigin.RightBottom => (h - 1 - y, w - 1 - x),
                    SKEncodedOrigin.LeftBottom => (y, w - 1 - x),
                    _ => (x, y),
                };
                for (var c = 0; c < image.Channels; c++)
                {
                    pixels[(c * plane) + (dy * ow) + dx] = image.Pixels[(c * plane) + (y * w) + x];
                }
            }
        }

        return new RasterImage(ow, oh, pixels, image.Channels);
    }

    private RasterImage Shrunk(RasterImage image)
    {
        var longest = Math.Max(image.Width, image.Height);
        if (longest <= _options.WorkingSize)
        {
            return image;
        }

        var scale = (double)_options.WorkingSize / longest;
        return ImageResize.Bilinear(image, Math.Max(1, (int)Math.Round(image.Width * scale)), Math.Max(1, (int)Math.Round(image.Height * scale)));
    }

    private static RasterImage FromGray8(SKBitmap gray8)
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

        return new RasterImage(width, height, pixels);
    }

    /// <summary>Three planes from unpremultiplied RGBA, each pixel composited on white by its alpha.</summary>
    private static RasterImage FromRgba(SKBitmap rgba)
    {
        var width = rgba.Width;
        var height = rgba.Height;
        var stride = rgba.RowBytes;
        var bytes = rgba.GetPixelSpan();
        var plane = width * height;
        var pixels = new float[3 * plane];
        for (var y = 0; y < height; y++)
        {
            var row = bytes.Slice(y * stride, width * 4);
            for (var x = 0; x < width; x++)
            {
                var alpha = row[(4 * x) + 3] / 255f;
                for (var c = 0; c < 3; c++)
                {
                    pixels[(c * plane) + (y * width) + x] = (alpha * row[(4 * x) + c] / 255f) + (1 - alpha);
                }
            }
        }

        return new RasterImage(width, height, pixels, 3);
    }
}
