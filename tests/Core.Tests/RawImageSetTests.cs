using Know2Vec.Core.Imaging;

namespace Know2Vec.Core.Tests;

public sealed class RawImageSetTests
{
    [Fact]
    public void Reads_n_images_of_h_by_w_bytes_row_major()
    {
        var bytes = Enumerable.Range(0, 3 * 2 * 4).Select(i => (byte)(i * 10)).ToArray();
        var path = Path.Combine(Path.GetTempPath(), $"know2vec-raw-{Guid.NewGuid():N}.u8");
        File.WriteAllBytes(path, bytes);
        try
        {
            var images = RawImageSet.Read(path, height: 2, width: 4);

            Assert.Equal(3, images.Count);
            Assert.All(images, i => Assert.Equal((4, 2), (i.Width, i.Height)));
            Assert.Equal(bytes[8..16].Select(b => b / 255f), images[1].Pixels);
            Assert.Equal(bytes[8 + 4 + 2] / 255f, images[1][2, 1]); // x = 2, y = 1
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_length_that_is_not_a_multiple_of_the_image_size_is_rejected()
    {
        Assert.Throws<InvalidDataException>(() => RawImageSet.Parse(new byte[785], 28, 28));
    }

    [Fact]
    public void An_empty_file_is_an_empty_set()
    {
        Assert.Empty(RawImageSet.Parse([], 28, 28));
    }
}
