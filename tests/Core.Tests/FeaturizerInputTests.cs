using Know2Vec.Core.Featurization;
using Know2Vec.Core.Imaging;

namespace Know2Vec.Core.Tests;

public sealed class FeaturizerInputTests
{
    private static float[] Fill(RasterImage image, FeaturizerOptions options)
    {
        var tensor = new float[FeaturizerInput.ImageLength];
        FeaturizerInput.Fill(image, options, tensor);
        return tensor;
    }

    [Fact]
    public void Default_inverts_white_on_black_to_dark_on_light_in_0_to_255()
    {
        var tensor = Fill(TestImages.Constant(28, 28, 1f), new FeaturizerOptions());
        Assert.All(tensor, v => Assert.Equal(0f, v, 1e-4f));

        tensor = Fill(TestImages.Constant(28, 28, 0f), new FeaturizerOptions());
        Assert.All(tensor, v => Assert.Equal(255f, v, 1e-3f));

        tensor = Fill(TestImages.Constant(28, 28, 0.25f), new FeaturizerOptions());
        Assert.All(tensor, v => Assert.Equal(191.25f, v, 1e-3f));
    }

    [Fact]
    public void Without_inversion_intensities_are_only_scaled()
    {
        var tensor = Fill(TestImages.Constant(10, 10, 0.25f), new FeaturizerOptions { InvertPolarity = false });

        Assert.All(tensor, v => Assert.Equal(63.75f, v, 1e-3f));
    }

    [Fact]
    public void The_grey_plane_is_resized_to_224_and_replicated_to_three_channels()
    {
        // Left half white, right half black.
        var image = TestImages.Render((x, _) => x < 14);

        var tensor = Fill(image, new FeaturizerOptions { InvertPolarity = false });

        var plane = tensor.AsSpan(0, FeaturizerInput.PlaneLength);
        Assert.True(plane.SequenceEqual(tensor.AsSpan(FeaturizerInput.PlaneLength, FeaturizerInput.PlaneLength)));
        Assert.True(plane.SequenceEqual(tensor.AsSpan(2 * FeaturizerInput.PlaneLength, FeaturizerInput.PlaneLength)));
        Assert.Equal(255f, plane[(100 * 224) + 10], 1e-3f);  // row 100, left
        Assert.Equal(0f, plane[(100 * 224) + 210], 1e-3f);   // row 100, right
    }
}
