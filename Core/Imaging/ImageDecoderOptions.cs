using System.ComponentModel.DataAnnotations;

namespace Know2Vec.Core.Imaging;

/// <summary>Limits for decoding untrusted images (section <c>Know2Vec:Images</c>).</summary>
public sealed class ImageDecoderOptions
{
    public const string SectionName = "Know2Vec:Images";

    /// <summary>Largest accepted width in pixels; checked from the header, before any pixel is decoded.</summary>
    [Range(1, 65_535)]
    public int MaxWidth { get; set; } = 4096;

    /// <summary>Largest accepted height in pixels; checked from the header, before any pixel is decoded.</summary>
    [Range(1, 65_535)]
    public int MaxHeight { get; set; } = 4096;
}
