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

    /// <summary>How many queries and predictions run at once, and how many wait (section <c>Know2Vec:Admission</c>).</summary>
    [Required]
    [ValidateObjectMembers]
    public AdmissionOptions Admission { get; set; } = new();
}

/// <summary>
/// Admission control of the expensive endpoints (<c>POST /queries</c>, <c>POST /models/{id}/predictions</c>):
/// a request beyond the running and queued ones is refused at once with 429 and Retry-After, instead of
/// every request slowing down together. Health endpoints are never queued.
/// </summary>
public sealed class AdmissionOptions
{
    /// <summary>Requests that run at once; unset: one per core (featurizing is CPU-bound).</summary>
    [Range(1, 1024)]
    public int? MaxConcurrent { get; set; }

    /// <summary>Requests that wait for a free slot, oldest first; unset: two per core; 0: none wait.</summary>
    [Range(0, 100_000)]
    public int? QueueLength { get; set; }

    /// <summary>Seconds a refused client is told to wait (Retry-After).</summary>
    [Range(1, 3600)]
    public int RetryAfterSeconds { get; set; } = 2;

    /// <summary>Effective concurrency.</summary>
    public int EffectiveMaxConcurrent => MaxConcurrent ?? Environment.ProcessorCount;

    /// <summary>Effective queue length.</summary>
    public int EffectiveQueueLength => QueueLength ?? (2 * Environment.ProcessorCount);
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
