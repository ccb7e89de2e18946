using System.ComponentModel.DataAnnotations;

namespace Know2Vec.Core.Imaging;

/// <summary>Limits for decoding untrusted images (section <c>Know2Vec:Images</c>).</summary>
public sealed class ImageDecoderOptions
{
    public const string SectionName = "Know2Vec:Images";

    /// <summary>Largest accepted width in pixels; checked from the header, before any pixel is decoded.</summary>
    [Range(1, 65_535)]
    public int MaxWidth { get; set; } = 2048;

    /// <summary>Largest accepted height in pixels; checked from the header, before any pixel is decoded.</summary>
    [Range(1, 65_535)]
    public int MaxHeight { get; set; } = 2048;

    /// <summary>
    /// Decoded images are shrunk at once so that neither side exceeds this (aspect kept): nothing
    /// downstream needs more (the featurizer takes 224×224, zoo models far less), and a query of
    /// hundreds of large images would otherwise hold gigabytes of pixels.
    /// </summary>
    [Range(28, 4096)]
    public int WorkingSize { get; set; } = 256;
}
