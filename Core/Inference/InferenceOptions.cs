using System.ComponentModel.DataAnnotations;

namespace Know2Vec.Core.Inference;

/// <summary>Which execution provider ONNX Runtime sessions should use.</summary>
public enum InferenceDevice
{
    /// <summary>CUDA when it can be initialised, otherwise CPU.</summary>
    Auto,

    /// <summary>CPU only.</summary>
    Cpu,

    /// <summary>CUDA requested; still falls back to CPU (with a warning) rather than failing the service.</summary>
    Cuda,
}

/// <summary>Options for every ONNX Runtime session the service creates (section <c>Know2Vec:Inference</c>).</summary>
public sealed class InferenceOptions
{
    public const string SectionName = "Know2Vec:Inference";

    /// <summary>auto | cpu | cuda. Default: auto.</summary>
    public InferenceDevice Device { get; set; } = InferenceDevice.Auto;

    /// <summary>Threads per session for intra-op parallelism; null lets ONNX Runtime choose (one per physical core).</summary>
    [Range(1, 1024)]
    public int? IntraOpThreads { get; set; }
}
