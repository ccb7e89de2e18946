using Know2Vec.Core.Imaging;

namespace Know2Vec.Core.Tests;

public sealed class ImageResizeTests
{
    [Fact]
    public void Same_size_returns_the_image_itself()
    {
        var image = TestImages.Noise(5, 4, 3);

        Assert.Same(image, ImageResize.Bilinear(image, 5, 4));
    }

    [Theory]
    [InlineData(28, 28, 224, 224)]
    [InlineData(500, 300, 28, 28)]
    [InlineData(3, 7, 11, 2)]
    public void Constant_images_stay_constant(int w, int h, int toW, int toH)
    {
        var resized = ImageResize.Bilinear(TestImages.Constant(w, h, 0.7f), toW, toH);

        Assert.Equal((toW, toH), (resized.Width, resized.Height));
        Assert.All(resized.Pixels, v => Assert.Equal(0.7f, v, 1e-5f));
    }

    [Fact]
    public void Upsampling_interpolates_between_pixel_centres()
    {
        // 2 pixels [0, 1] → 4 pixels; centres at 0.25, 0.75, 1.25, 1.75 in source pixels
        // (edge pixels clamp): 0, 0.25, 0.75, 1.
        var resized = ImageResize.Bilinear(new RasterImage(2, 1, [0f, 1f]), 4, 1);

        Assert.Equal([0f, 0.25f, 0.75f, 1f], resized.Pixels);
    }

    [Fact]
    public void Downsampling_averages_instead_of_aliasing()
    {
        // A 1-pixel checkerboard shrunk 4×: plain bilinear would pick stripes; a widened filter gives grey.
        var image = TestImages.Render((x, y) => ((int)x + (int)y) % 2 == 0);

        var resized = ImageResize.Bilinear(image, 7, 7);

        Assert.All(resized.Pixels, v => Assert.InRange(v, 0.4f, 0.6f));
    }
}
