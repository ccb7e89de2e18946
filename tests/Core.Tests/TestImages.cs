using Know2Vec.Core.Imaging;
using SkiaSharp;

namespace Know2Vec.Core.Tests;

/// <summary>Deterministic synthetic images: white shapes on black, like Fashion-MNIST.</summary>
internal static class TestImages
{
    public const int Side = 28;

    /// <summary>Twenty visibly different 28×28 shapes (anti-aliased by 4×4 supersampling).</summary>
    public static IReadOnlyList<RasterImage> Shapes()
    {
        Func<double, double, bool>[] shapes =
        [
            (x, y) => Dist(x, y, 14, 14) < 9,                              // disc
            (x, y) => Dist(x, y, 14, 14) is > 6 and < 10,                  // ring
            (x, y) => Math.Abs(x - 14) < 8 && Math.Abs(y - 14) < 8,        // square
            (x, y) => Math.Abs(x - 14) < 11 && Math.Abs(y - 14) < 3,       // horizontal bar
            (x, y) => Math.Abs(x - 14) < 3 && Math.Abs(y - 14) < 11,       // vertical bar
            (x, y) => (Math.Abs(x - 14) < 2.5 || Math.Abs(y - 14) < 2.5) && Math.Abs(x - 14) < 11 && Math.Abs(y - 14) < 11, // plus
            (x, y) => Math.Abs(x - y) < 2.5 && x is > 3 and < 25,          // diagonal
            (x, y) => y > 5 && y < 23 && Math.Abs(x - 14) < (y - 5) / 2,    // triangle
            (x, y) => ((int)(x / 7) + (int)(y / 7)) % 2 == 0,              // checkerboard
            (x, y) => (int)(y / 4) % 2 == 0 && x is > 3 and < 25,          // stripes
            (x, y) => (x is > 6 and < 11 && y is > 4 and < 24) || (y is > 19 and < 24 && x is > 6 and < 22), // L
            (x, y) => (y is > 4 and < 9 && x is > 4 and < 24) || (x is > 12 and < 16 && y is > 4 and < 24), // T
            (x, y) => Dist(x, y, 9, 9) < 5 || Dist(x, y, 19, 19) < 5,      // two blobs
            (x, y) => Dist(x, y, 14, 9) is > 3 and < 6 || Dist(x, y, 14, 19) is > 3 and < 6, // "8"
            (x, y) => Math.Abs(x - 14) < 4 && y is > 3 and < 25 || Math.Abs(y - 22) < 2.5 && x is > 8 and < 20, // "1"
            (x, y) => Math.Abs((x - 14) / 10) + Math.Abs((y - 14) / 6) < 1,  // diamond
            (x, y) => x < 14 && y < 14,                                     // quadrant
            (x, y) => Math.Abs(Dist(x, y, 14, 30) - 18) < 2,               // arc
            (x, y) => Dist(x, y, 14, 14) < 12 && Math.Sin(Math.Atan2(y - 14, x - 14) * 4) > 0, // pinwheel
            (x, y) => (x + 2 * y) % 9 < 3 && Dist(x, y, 14, 14) < 12,       // hatched disc
        ];
        return shapes.Select(Render).ToArray();
    }

    public static RasterImage Render(Func<double, double, bool> inside)
    {
        var pixels = new float[Side * Side];
        for (var y = 0; y < Side; y++)
        {
            for (var x = 0; x < Side; x++)
            {
                var hits = 0;
                for (var sy = 0; sy < 4; sy++)
                {
                    for (var sx = 0; sx < 4; sx++)
                    {
                        hits += inside(x + ((sx + 0.5) / 4), y + ((sy + 0.5) / 4)) ? 1 : 0;
                    }
                }

                pixels[(y * Side) + x] = hits / 16f;
            }
        }

        return new RasterImage(Side, Side, pixels);
    }

    public static RasterImage Noise(int width, int height, int seed)
    {
        var random = new Random(seed);
        var pixels = new float[width * height];
        for (var i = 0; i < pixels.Length; i++)
        {
            pixels[i] = random.Next(256) / 255f;
        }

        return new RasterImage(width, height, pixels);
    }

    public static RasterImage Constant(int width, int height, float value) =>
        new(width, height, Enumerable.Repeat(value, width * height).ToArray());

    /// <summary>Encodes a bitmap with SkiaSharp (PNG, JPEG, WebP).</summary>
    public static byte[] Encode(SKBitmap bitmap, SKEncodedImageFormat format, int quality = 100)
    {
        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(format, quality);
        return data.ToArray();
    }

    private static double Dist(double x, double y, double cx, double cy) => Math.Sqrt(((x - cx) * (x - cx)) + ((y - cy) * (y - cy)));
}
