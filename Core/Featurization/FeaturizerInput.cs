using Know2Vec.Core.Imaging;

namespace Know2Vec.Core.Featurization;

/// <summary>
/// Input normalisation for the ResNet18 featurizer, kept separate so it can be tested on its own.
/// Grey 0..1 → optional inversion → × <see cref="FeaturizerOptions.InputScale"/> → bilinear resize
/// to 224×224 → the same plane in all three channels. Colour: each of red, green, blue × scale,
/// resized, never inverted. (RGB order; the preprocessing graph reorders to BGR and subtracts its mean image.)
/// </summary>
public static class FeaturizerInput
{
    public const int Size = 224;
    public const int Channels = 3;
    public const int PlaneLength = Size * Size;
    public const int ImageLength = Channels * PlaneLength;

    /// <summary>Writes one image as a [3,224,224] CHW tensor into <paramref name="destination"/>.</summary>
    public static void Fill(RasterImage image, FeaturizerOptions options, Span<float> destination)
    {
        if (destination.Length < ImageLength)
        {
            throw new ArgumentException($"Need {ImageLength} floats.", nameof(destination));
        }

        var scale = options.InputScale;
        if (!image.IsGrey)
        {
            // Colour goes in as red, green, blue planes (the preprocessing graph reorders to BGR itself).
            // No inversion: the polarity setting was measured on grey light-on-dark digits and clothes.
            for (var c = 0; c < Channels; c++)
            {
                var target = destination.Slice(c * PlaneLength, PlaneLength);
                ImageResize.Bilinear(image.Plane(c), image.Width, image.Height, target, Size, Size);
                for (var i = 0; i < target.Length; i++)
                {
                    target[i] *= scale;
                }
            }

            return;
        }

        var plane = destination[..PlaneLength];
        ImageResize.Bilinear(image.Pixels, image.Width, image.Height, plane, Size, Size);

        // Resizing is linear, so inverting and scaling after it gives the same result as before.
        if (options.InvertPolarity)
        {
            for (var i = 0; i < plane.Length; i++)
            {
                plane[i] = (1f - plane[i]) * scale;
            }
        }
        else
        {
            for (var i = 0; i < plane.Length; i++)
            {
                plane[i] *= scale;
            }
        }

        plane.CopyTo(destination.Slice(PlaneLength, PlaneLength));
        plane.CopyTo(destination.Slice(2 * PlaneLength, PlaneLength));
    }
}
