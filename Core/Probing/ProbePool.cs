using System.Security.Cryptography;
using System.Text.Json;
using Know2Vec.Core.Imaging;

namespace Know2Vec.Core.Probing;

/// <summary>
/// The fixed, versioned set of unlabelled images every zoo model is probed with
/// (zoo-manifests/probe-pool/v1 by default: index.json + raw uint8 images).
/// </summary>
public sealed class ProbePool
{
    public ProbePool(string version, IReadOnlyList<RasterImage> images)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(version);
        if (images.Count == 0)
        {
            throw new ArgumentException("a probe pool needs at least one image", nameof(images));
        }

        Version = version;
        Images = images;
    }

    /// <summary>Recorded with every knowledge tensor, so that a changed pool is visible.</summary>
    public string Version { get; }

    public IReadOnlyList<RasterImage> Images { get; }

    /// <summary>Reads index.json (version, count, height, width, file, sha256) and the image file beside it; checks size and sha256.</summary>
    public static ProbePool Load(string directory)
    {
        var indexPath = Path.Combine(directory, "index.json");
        using var index = JsonDocument.Parse(File.ReadAllText(indexPath));
        var root = index.RootElement;
        var file = Path.Combine(directory, root.GetProperty("file").GetString()!);
        var (count, height, width) = (root.GetProperty("count").GetInt32(), root.GetProperty("height").GetInt32(), root.GetProperty("width").GetInt32());
        var bytes = File.ReadAllBytes(file);
        if (bytes.Length != count * height * width)
        {
            throw new InvalidDataException($"{file}: {bytes.Length} bytes, expected {count} x {height} x {width}");
        }

        if (root.TryGetProperty("sha256", out var sha) &&
            !string.Equals(sha.GetString(), Convert.ToHexStringLower(SHA256.HashData(bytes)), StringComparison.Ordinal))
        {
            throw new InvalidDataException($"{file}: sha256 differs from {indexPath}");
        }

        return new ProbePool(root.GetProperty("version").GetString()!, RawImageSet.Parse(bytes, height, width));
    }
}
