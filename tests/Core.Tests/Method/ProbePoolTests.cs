using Know2Vec.Core.Imaging;
using Know2Vec.Core.Probing;
using Know2Vec.Evaluation.Benchmark;

namespace Know2Vec.Core.Tests.Method;

/// <summary>The shipped probe pool loads with its promised size, and a corrupted copy is refused.</summary>
public sealed class ProbePoolTests
{
    private static readonly string PoolDirectory = Path.Combine(BenchmarkData.FindZooManifestsDirectory(), "probe-pool", "v1");

    [Fact]
    public void Shipped_pool_v1_has_1000_grey_28x28_images()
    {
        var pool = ProbePool.Load(PoolDirectory);

        Assert.Equal("v1", pool.Version);
        Assert.Equal(1000, pool.Images.Count);
        Assert.All(pool.Images, image => Assert.Equal((28, 28), (image.Width, image.Height)));
        Assert.All(pool.Images, image => Assert.InRange(image.Pixels.Min(), 0f, 1f));
        Assert.All(pool.Images, image => Assert.InRange(image.Pixels.Max(), 0f, 1f));
        // Real pictures, not blanks: every image has ink, and they are not all the same.
        Assert.All(pool.Images, image => Assert.True(image.Pixels.Max() > 0.2f));
        Assert.Equal(1000, pool.Images.Select(i => Convert.ToHexString(i.Pixels.Select(v => (byte)MathF.Round(v * 255)).ToArray())).Distinct().Count());
    }

    [Fact]
    public void Pool_is_the_bytes_of_its_file()
    {
        var pool = ProbePool.Load(PoolDirectory);
        var bytes = File.ReadAllBytes(Path.Combine(PoolDirectory, "images.u8"));

        var last = pool.Images[999];
        Assert.Equal(bytes[(999 * 784) + (14 * 28) + 14] / 255f, last[14, 14]);
        Assert.Equal(bytes[0] / 255f, pool.Images[0].Pixels[0]);
    }

    [Fact]
    public void Truncated_image_file_is_refused()
    {
        using var copy = CopyOfPool();
        var images = copy.File("images.u8");
        File.WriteAllBytes(images, File.ReadAllBytes(images)[..^784]);

        var e = Assert.Throws<InvalidDataException>(() => ProbePool.Load(copy.Path));
        Assert.Contains("expected 1000 x 28 x 28", e.Message);
    }

    [Fact]
    public void Image_file_with_one_changed_byte_is_refused_by_its_sha256()
    {
        using var copy = CopyOfPool();
        var images = copy.File("images.u8");
        var bytes = File.ReadAllBytes(images);
        bytes[12345] ^= 0x01;
        File.WriteAllBytes(images, bytes);

        var e = Assert.Throws<InvalidDataException>(() => ProbePool.Load(copy.Path));
        Assert.Contains("sha256", e.Message);
    }

    [Fact]
    public void Index_with_a_wrong_count_is_refused()
    {
        using var copy = CopyOfPool();
        var index = copy.File("index.json");
        File.WriteAllText(index, File.ReadAllText(index).Replace("\"count\": 1000", "\"count\": 999", StringComparison.Ordinal));

        Assert.Throws<InvalidDataException>(() => ProbePool.Load(copy.Path));
    }

    [Fact]
    public void Pool_needs_a_version_and_an_image()
    {
        var image = new RasterImage(2, 2, new float[4]);

        Assert.Throws<ArgumentException>(() => new ProbePool("v-test", []));
        Assert.Throws<ArgumentException>(() => new ProbePool(" ", [image]));
        Assert.Equal("v-test", new ProbePool("v-test", [image]).Version);
    }

    private TempDirectory CopyOfPool()
    {
        var copy = new TempDirectory();
        foreach (var file in System.IO.Directory.GetFiles(PoolDirectory))
        {
            File.Copy(file, copy.File(Path.GetFileName(file)));
        }

        Assert.Equal(1000, ProbePool.Load(copy.Path).Images.Count); // the copy itself is good
        return copy;
    }
}
