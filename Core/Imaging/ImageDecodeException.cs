namespace Know2Vec.Core.Imaging;

/// <summary>Why an uploaded image could not be used.</summary>
public enum ImageDecodeError
{
    /// <summary>The bytes are not an image any decoder recognises.</summary>
    Unrecognized,

    /// <summary>A recognised image format that is not accepted (only PNG and JPEG are).</summary>
    UnsupportedFormat,

    /// <summary>Width or height is zero or above the configured maximum.</summary>
    TooLarge,

    /// <summary>The header was readable but the pixel data is truncated or corrupt.</summary>
    Corrupt,
}

/// <summary>
/// An untrusted image could not be decoded. The message is safe to show to the client
/// (it never contains decoder internals); <see cref="Error"/> lets an API map it to a status code.
/// </summary>
public sealed class ImageDecodeException : Exception
{
    public ImageDecodeException(ImageDecodeError error, string message)
        : base(message)
    {
        Error = error;
    }

    public ImageDecodeError Error { get; }
}
