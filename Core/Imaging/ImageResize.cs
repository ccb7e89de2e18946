namespace Know2Vec.Core.Imaging;

/// <summary>
/// Bilinear resampling shared by the featurizer and the classifier runner, so that the probe
/// side and the query side see pixels the same way. Pixel centres are aligned
/// (align_corners = false, as in PIL and torch). When shrinking, the triangle filter is widened
/// by the scale factor (PIL's antialiased "bilinear") so that large uploads do not alias.
/// </summary>
public static class ImageResize
{
    /// <summary>Returns <paramref name="image"/> resized to <paramref name="width"/>×<paramref name="height"/> (the same instance when the size already matches).</summary>
    public static RasterImage Bilinear(RasterImage image, int width, int height)
    {
        if (image.Width == width && image.Height == height)
        {
            return image;
        }

        // Channel by channel: each plane is resized on its own.
        var plane = width * height;
        var pixels = new float[plane * image.Channels];
        for (var c = 0; c < image.Channels; c++)
        {
            Bilinear(image.Plane(c), image.Width, image.Height, pixels.AsSpan(c * plane, plane), width, height);
        }

        return new RasterImage(width, height, pixels, image.Channels);
    }

    /// <summary>Resizes a row-major plane <paramref name="source"/> into <paramref name="destination"/>.</summary>
    public static void Bilinear(ReadOnlySpan<float> source, int sourceWidth, int sourceHeight, Span<float> destination, int width, int height)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        if (source.Length < sourceWidth * sourceHeight || destination.Length < width * height)
        {
            throw new ArgumentException("Buffer smaller than its stated size.");
        }

        if (sourceWidth == width && sourceHeight == height)
        {
            source[..(width * height)].CopyTo(destination);
            return;
        }

        var (xStart, xCount, xWeights, xTaps) = Weights(sourceWidth, width);
        var (yStart, yCount, yWeights, yTaps) = Weights(sourceHeight, height);

        // Horizontal pass into a sourceHeight×width buffer, then vertical pass.
        var temp = new float[sourceHeight * width];
        for (var y = 0; y < sourceHeight; y++)
        {
            var row = source.Slice(y * sourceWidth, sourceWidth);
            for (var x = 0; x < width; x++)
            {
                float sum = 0;
                var w = x * xTaps;
                for (var k = 0; k < xCount[x]; k++)
                {
                    sum += row[xStart[x] + k] * xWeights[w + k];
                }

                temp[(y * width) + x] = sum;
            }
        }

        for (var y = 0; y < height; y++)
        {
            var dst = destination.Slice(y * width, width);
            dst.Clear();
            var w = y * yTaps;
            for (var k = 0; k < yCount[y]; k++)
            {
                var weight = yWeights[w + k];
                var src = temp.AsSpan((yStart[y] + k) * width, width);
                for (var x = 0; x < width; x++)
                {
                    dst[x] += src[x] * weight;
                }
            }
        }
    }

    // For each output index: first source index, tap count and normalised triangle-filter weights.
    private static (int[] Start, int[] Count, float[] Weights, int Taps) Weights(int sourceSize, int size)
    {
        var scale = (double)sourceSize / size;
        var support = Math.Max(scale, 1.0); // filter radius in source pixels
        var taps = (int)Math.Ceiling(support) * 2 + 1;
        var start = new int[size];
        var count = new int[size];
        var weights = new float[size * taps];
        for (var i = 0; i < size; i++)
        {
            var centre = (i + 0.5) * scale;
            var lo = Math.Max(0, (int)Math.Floor(centre - support));
            var hi = Math.Min(sourceSize, (int)Math.Ceiling(centre + support));
            double total = 0;
            var n = 0;
            for (var j = lo; j < hi && n < taps; j++)
            {
                var weight = Math.Max(0.0, 1.0 - Math.Abs((j + 0.5 - centre) / support));
                weights[(i * taps) + n] = (float)weight;
                total += weight;
                n++;
            }

            if (total <= 0)
            {
                // Cannot happen for valid sizes; keep nearest pixel as a safe default.
                weights[i * taps] = 1;
                total = 1;
                n = 1;
                lo = Math.Clamp((int)centre, 0, sourceSize - 1);
            }

            for (var k = 0; k < n; k++)
            {
                weights[(i * taps) + k] = (float)(weights[(i * taps) + k] / total);
            }

            start[i] = lo;
            count[i] = n;
        }

        return (start, count, weights, taps);
    }
}
