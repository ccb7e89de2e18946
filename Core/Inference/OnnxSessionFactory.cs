using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.ML.OnnxRuntime;

namespace Know2Vec.Core.Inference;

/// <summary>
/// The one place that builds ONNX Runtime <see cref="SessionOptions"/> and sessions, so every
/// model (featurizer, towers, zoo models) runs with the same provider and threading settings.
/// Register as a singleton: the provider is decided once, at construction.
/// </summary>
public sealed partial class OnnxSessionFactory
{
    /// <summary>Value of <see cref="ActiveProvider"/> when sessions run on the CPU.</summary>
    public const string CpuProvider = "CPU";

    /// <summary>Value of <see cref="ActiveProvider"/> when sessions run on CUDA.</summary>
    public const string CudaProvider = "CUDA";

    // Not const: a constant condition would make one branch unreachable (a warning, so an error) in one build.
#if USE_GPU
    private static readonly bool IsGpuBuild = true;
#else
    private static readonly bool IsGpuBuild = false;
#endif

    private readonly InferenceOptions _options;
    private readonly ILogger<OnnxSessionFactory> _logger;
    private volatile bool _useCuda;

    public OnnxSessionFactory(IOptions<InferenceOptions> options, ILogger<OnnxSessionFactory>? logger = null)
    {
        _options = options.Value;
        _logger = logger ?? NullLogger<OnnxSessionFactory>.Instance;
        _useCuda = _options.Device != InferenceDevice.Cpu && ProbeCuda();
        LogProviderSelected(_logger, ActiveProvider, _options.Device);
    }

    /// <summary>"CPU" or "CUDA": the provider that sessions created by this factory use (for health endpoints).</summary>
    public string ActiveProvider => _useCuda ? CudaProvider : CpuProvider;

    /// <summary>The device that was asked for in configuration.</summary>
    public InferenceDevice RequestedDevice => _options.Device;

    /// <summary>Creates a session for a model file.</summary>
    public InferenceSession Create(string modelPath) =>
        CreateWithFallback(options => new InferenceSession(modelPath, options), modelPath);

    /// <summary>Creates a session for a model held in memory (e.g. a graph edited at load time).</summary>
    public InferenceSession Create(byte[] modelBytes, string displayName) =>
        CreateWithFallback(options => new InferenceSession(modelBytes, options), displayName);

    /// <summary>
    /// Builds session options with the active provider. The caller owns (and disposes) them;
    /// ONNX Runtime copies what it needs when a session is created.
    /// </summary>
    public SessionOptions CreateSessionOptions() => BuildOptions(_useCuda);

    private InferenceSession CreateWithFallback(Func<SessionOptions, InferenceSession> create, string name)
    {
        OnnxRuntimeException? cudaFailure = null;
        if (_useCuda)
        {
            try
            {
                using var cudaOptions = BuildOptions(cuda: true);
                return create(cudaOptions);
            }
            catch (OnnxRuntimeException e)
            {
                // A CUDA provider that appended fine can still fail at session creation (e.g. a
                // missing cuDNN sub-library, no device memory). Serving on CPU beats failing.
                cudaFailure = e;
            }
        }

        using var cpuOptions = BuildOptions(cuda: false);
        var session = create(cpuOptions); // a broken model throws here, with the CPU error
        if (cudaFailure is not null)
        {
            // The CPU session worked, so the failure was CUDA's, not the model's: stop trying CUDA.
            _useCuda = false;
            LogCudaSessionFailed(_logger, name, cudaFailure.Message);
        }

        return session;
    }

    private SessionOptions BuildOptions(bool cuda)
    {
        var options = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
        };
        // Many sessions share few cores: spinning worker threads doubled latency in the feasibility run.
        options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        options.AddSessionConfigEntry("session.inter_op.allow_spinning", "0");
        if (_options.IntraOpThreads is int threads)
        {
            options.IntraOpNumThreads = threads;
        }

        if (cuda)
        {
            try
            {
                options.AppendExecutionProvider_CUDA(0);
            }
            catch
            {
                options.Dispose();
                throw;
            }
        }

        return options;
    }

    private bool ProbeCuda()
    {
        // GetAvailableProviders() lists CUDA even when its libraries are missing, so the only
        // reliable test is to append the provider and see whether it throws.
        try
        {
            using var probe = BuildOptions(cuda: true);
            return true;
        }
        catch (Exception e) when (e is OnnxRuntimeException or DllNotFoundException or EntryPointNotFoundException)
        {
            // A GPU build that cannot use CUDA deserves a warning even under "auto"; a CPU build does not.
            if (_options.Device == InferenceDevice.Cuda || IsGpuBuild)
            {
                LogCudaUnavailable(_logger, _options.Device, IsGpuBuild, e.Message);
            }
            else
            {
                LogCpuBuild(_logger);
            }

            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "ONNX Runtime sessions use the {Provider} provider (requested: {Requested})")]
    private static partial void LogProviderSelected(ILogger logger, string provider, InferenceDevice requested);

    [LoggerMessage(Level = LogLevel.Warning, Message = "CUDA requested ({Requested}) but unavailable (GPU build: {GpuBuild}); falling back to CPU: {Reason}")]
    private static partial void LogCudaUnavailable(ILogger logger, InferenceDevice requested, bool gpuBuild, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "This build has no CUDA support (build with -p:UseGpu=true); using CPU")]
    private static partial void LogCpuBuild(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Creating a CUDA session for {Model} failed; this and later sessions use CPU: {Reason}")]
    private static partial void LogCudaSessionFailed(ILogger logger, string model, string reason);
}
