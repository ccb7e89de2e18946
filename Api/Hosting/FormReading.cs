using System.Globalization;
using Know2Vec.Core.Imaging;

namespace Know2Vec.Api.Hosting;

/// <summary>A request whose fields cannot be read as sent: each problem by field, for a validation ProblemDetails.</summary>
internal sealed class InvalidRequestException(IReadOnlyDictionary<string, string[]> errors)
    : Exception(string.Join(" ", errors.SelectMany(e => e.Value)))
{
    public IReadOnlyDictionary<string, string[]> Errors { get; } = errors;
}

/// <summary>
/// The parts of reading a form that queries and predictions share: uploaded images (counted before
/// any decoding, then decoded with each bad file named) and whole-number fields sent as text.
/// Problems are collected by field, so one answer names all of them.
/// </summary>
internal static class FormReading
{
    /// <summary>The files named "images", or a problem when there are more than the limit allows.</summary>
    public static IReadOnlyList<IFormFile> ImageFiles(IFormFileCollection files, Know2VecLimits limits, Dictionary<string, string[]> errors)
    {
        var images = files.GetFiles("images");
        if (images.Count > limits.MaxImagesPerQuery)
        {
            errors["images"] = [$"At most {limits.MaxImagesPerQuery} images per request (Know2Vec:Limits:MaxImagesPerQuery); got {images.Count}."];
        }

        return images;
    }

    /// <summary>Decodes every file; an undecodable one is a problem under <c>images[i]</c> naming the file.</summary>
    public static async Task<List<RasterImage>> DecodeAsync(
        IReadOnlyList<IFormFile> files, ImageDecoder decoder, Dictionary<string, string[]> errors, CancellationToken cancellationToken)
    {
        var decoded = new List<RasterImage>(files.Count);
        for (var i = 0; i < files.Count; i++)
        {
            try
            {
                var bytes = new byte[files[i].Length];
                await using (var stream = files[i].OpenReadStream())
                {
                    await stream.ReadExactlyAsync(bytes, cancellationToken);
                }

                decoded.Add(decoder.Decode(bytes));
            }
            catch (ImageDecodeException e)
            {
                // The decoder's messages are written for clients; the file name tells which upload it was.
                errors[$"images[{i}]"] = [$"'{files[i].FileName}': {e.Message}"];
            }
        }

        return decoded;
    }

    /// <summary>A whole number sent as text; <paramref name="fallback"/> when blank, a problem when not a number.</summary>
    public static int WholeNumber(string? text, string field, int fallback, Dictionary<string, string[]> errors)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return fallback;
        }

        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }

        errors[field] = [$"'{text}' is not a whole number."];
        return fallback;
    }

    /// <summary>
    /// Reads a multipart form. A body that ends early (the client stopped sending) surfaces as an
    /// IOException from the reader; it is the client's malformed request, a 400, not a server fault.
    /// </summary>
    public static async Task<IFormCollection> ReadFormAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        try
        {
            return await request.ReadFormAsync(cancellationToken);
        }
        catch (IOException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new InvalidDataException("The multipart body ended early.", e);
        }
    }

    /// <summary>Throws the collected problems, if any.</summary>
    public static void ThrowIfAny(Dictionary<string, string[]> errors)
    {
        if (errors.Count > 0)
        {
            throw new InvalidRequestException(errors);
        }
    }
}
