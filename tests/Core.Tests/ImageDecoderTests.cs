using Know2Vec.Core.Imaging;
using Microsoft.Extensions.Options;
using SkiaSharp;

namespace Know2Vec.Core.Tests;

public sealed class ImageDecoderTests
{
    private readonly ImageDecoder _decoder = new();

    [Fact]
    public void Grey_png_decodes_to_exact_values()
    {
        using var bitmap = new SKBitmap(new SKImageInfo(5, 3, SKColorType.Gray8, SKAlphaType.Opaque));
        var expected = new byte[15];
        for (var i = 0; i < expected.Length; i++)
        {
            expected[i] = (byte)(i * 17);
        }

        expected.CopyTo(bitmap.GetPixelSpan());

        var image = _decoder.Decode(TestImages.Encode(bitmap, SKEncodedImageFormat.Png));

        Assert.Equal((5, 3), (image.Width, image.Height));
        Assert.Equal(expected.Select(b => b / 255f), image.Pixels);
    }

    [Fact]
    public void Rgb_png_keeps_its_colour_and_transparency_is_composited_on_white()
    {
        using var bitmap = new SKBitmap(new SKImageInfo(4, 2, SKColorType.Rgba8888, SKAlphaType.Premul));
        bitmap.SetPixel(0, 0, SKColors.White);
        bitmap.SetPixel(1, 0, SKColors.Black);
        bitmap.SetPixel(2, 0, new SKColor(128, 128, 128));
        bitmap.SetPixel(3, 0, new SKColor(255, 0, 0));
        bitmap.SetPixel(0, 1, new SKColor(0, 255, 0));
        bitmap.SetPixel(1, 1, new SKColor(0, 0, 255));
        bitmap.SetPixel(2, 1, SKColors.Black.WithAlpha(0)); // transparent → the white background
        bitmap.SetPixel(3, 1, new SKColor(40, 40, 40));

        var image = _decoder.Decode(TestImages.Encode(bitmap, SKEncodedImageFormat.Png));

        Assert.Equal((4, 2, 3), (image.Width, image.Height, image.Channels));
        // Red stays red: 1 in the red plane, 0 in green and blue.
        Assert.Equal((1f, 0f, 0f), (image.Plane(0)[3], image.Plane(1)[3], image.Plane(2)[3]));
        Assert.Equal((0f, 1f, 0f), (image.Plane(0)[4], image.Plane(1)[4], image.Plane(2)[4]));
        Assert.Equal(1f, image[0, 0], 1e-6f);
        Assert.Equal(0f, image[1, 0], 1e-6f);
        Assert.Equal(128 / 255f, image[2, 0], 1.01f / 255);
        Assert.Equal(40 / 255f, image[3, 1], 1.01f / 255);
        // Green is the brightest primary and blue the darkest under any luma weighting.
        Assert.True(image[0, 1] > image[3, 0] && image[3, 0] > image[1, 1], string.Join(", ", image.Pixels));
        Assert.InRange(image[0, 1], 0.55f, 0.75f);
        Assert.Equal(1f, image[2, 1], 1e-6f);
        Assert.Equal(image[0, 1], image.ToGrey().Pixels[4], 1e-6f);
    }

    [Fact]
    public void Jpeg_decodes_to_the_right_size_and_values()
    {
        using var bitmap = new SKBitmap(new SKImageInfo(32, 24, SKColorType.Rgba8888, SKAlphaType.Premul));
        bitmap.Erase(new SKColor(200, 200, 200));

        var image = _decoder.Decode(TestImages.Encode(bitmap, SKEncodedImageFormat.Jpeg, quality: 95));

        Assert.Equal((32, 24), (image.Width, image.Height));
        Assert.All(image.Pixels, v => Assert.Equal(200 / 255f, v, 3f / 255));
    }

    [Fact]
    public void Garbage_bytes_are_unrecognized()
    {
        var e = Assert.Throws<ImageDecodeException>(() => _decoder.Decode("definitely not an image"u8.ToArray()));

        Assert.Equal(ImageDecodeError.Unrecognized, e.Error);
    }

    [Fact]
    public void Empty_input_is_unrecognized()
    {
        var e = Assert.Throws<ImageDecodeException>(() => _decoder.Decode([]));

        Assert.Equal(ImageDecodeError.Unrecognized, e.Error);
    }

    [Fact]
    public void Truncated_png_is_corrupt()
    {
        using var bitmap = NoiseBitmap(64, 64);
        var png = TestImages.Encode(bitmap, SKEncodedImageFormat.Png);

        var e = Assert.Throws<ImageDecodeException>(() => _decoder.Decode(png.AsSpan(0, png.Length / 2)));

        Assert.Equal(ImageDecodeError.Corrupt, e.Error);
        Assert.Contains("truncated", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Oversized_images_are_rejected_before_decoding()
    {
        var decoder = new ImageDecoder(Options.Create(new ImageDecoderOptions { MaxWidth = 16, MaxHeight = 64 }));
        using var bitmap = NoiseBitmap(32, 8);

        var e = Assert.Throws<ImageDecodeException>(() => decoder.Decode(TestImages.Encode(bitmap, SKEncodedImageFormat.Png)));

        Assert.Equal(ImageDecodeError.TooLarge, e.Error);
        Assert.Contains("32×8", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Large_images_are_shrunk_to_the_working_size_keeping_their_aspect()
    {
        var decoder = new ImageDecoder(Options.Create(new ImageDecoderOptions { WorkingSize = 64 }));
        using var bitmap = NoiseBitmap(400, 200);

        var image = decoder.Decode(TestImages.Encode(bitmap, SKEncodedImageFormat.Png));

        Assert.Equal((64, 32), (image.Width, image.Height));
        Assert.InRange(image.Pixels.Average(), 0.4, 0.6); // noise averages to mid-grey, no clipping or zeros
    }

    [Fact]
    public void Other_formats_are_not_accepted()
    {
        using var bitmap = NoiseBitmap(8, 8);

        var e = Assert.Throws<ImageDecodeException>(() => _decoder.Decode(TestImages.Encode(bitmap, SKEncodedImageFormat.Webp)));

        Assert.Equal(ImageDecodeError.UnsupportedFormat, e.Error);
    }

    private static SKBitmap NoiseBitmap(int width, int height)
    {
        var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Gray8, SKAlphaType.Opaque));
        new Random(7).NextBytes(bitmap.GetPixelSpan());
        return bitmap;
    }
}
