using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace Know2Vec.Api.Hosting;

/// <summary>
/// Settings only the Api reads (section <c>Know2Vec</c>, beside the shared settings of
/// <c>Know2VecOptions</c>): the API key of write endpoints and the request limits.
/// </summary>
public sealed class ApiOptions
{
    public const string SectionName = "Know2Vec";

    /// <summary>
    /// Key that write endpoints (register and delete zoos) and the whole Hangfire dashboard require in
    /// the <c>X-Api-Key</c> header. Unset: writes are refused, except in the Development environment
    /// (<see cref="WriteAccessNotice"/> says so at start; <see cref="HangfireDashboardAccess"/> for the dashboard).
    /// </summary>
    public string? ApiKey { get; set; }

    /// <summary>Request limits.</summary>
    [Required]
    [ValidateObjectMembers]
    public Know2VecLimits Limits { get; set; } = new();
}

/// <summary>Request limits (section <c>Know2Vec:Limits</c>). Image pixel limits are in <c>Know2Vec:Images</c>.</summary>
public sealed class Know2VecLimits
{
    /// <summary>Most images in one query.</summary>
    [Range(1, 100_000)]
    public int MaxImagesPerQuery { get; set; } = 256;

    /// <summary>Most bytes in one request body (a query's images, a zoo upload with its model files).</summary>
    [Range(1024, long.MaxValue)]
    public long MaxUploadBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>Most bytes of one zoo manifest.</summary>
    [Range(64, 64 * 1024 * 1024)]
    public int MaxManifestBytes { get; set; } = 1024 * 1024;
}
