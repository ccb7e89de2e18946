using Know2Vec.Core.Inference;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Know2Vec.Core.Tests;

public sealed class OnnxSessionFactoryTests
{
    [Fact]
    public void Cpu_device_uses_the_cpu_provider()
    {
        var factory = new OnnxSessionFactory(Options.Create(new InferenceOptions { Device = InferenceDevice.Cpu }));

        Assert.Equal(OnnxSessionFactory.CpuProvider, factory.ActiveProvider);
    }

    [Fact]
    public void Auto_falls_back_to_cpu_without_cuda()
    {
        // This machine has no GPU (and the default build has no CUDA provider).
        var factory = new OnnxSessionFactory(Options.Create(new InferenceOptions { Device = InferenceDevice.Auto }));

        Assert.Equal(OnnxSessionFactory.CpuProvider, factory.ActiveProvider);
        using var session = factory.Create(TinyModels.Write(TinyModels.Gemm(TinyModels.Flat(4), TinyModels.Weights(4, 2))));
        Assert.Single(session.InputMetadata);
    }

    [Fact]
    public void Explicit_cuda_without_cuda_warns_and_falls_back()
    {
        var logger = new ListLogger<OnnxSessionFactory>();

        var factory = new OnnxSessionFactory(Options.Create(new InferenceOptions { Device = InferenceDevice.Cuda, IntraOpThreads = 1 }), logger);

        Assert.Equal(OnnxSessionFactory.CpuProvider, factory.ActiveProvider);
        Assert.Contains(logger.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("falling back to CPU", StringComparison.Ordinal));
        using var session = factory.Create(TinyModels.Write(TinyModels.Gemm(TinyModels.Flat(4), TinyModels.Weights(4, 2))));
    }

    private sealed class ListLogger<T> : ILogger<T>
    {
        public List<(LogLevel Level, string Message)> Entries { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Entries.Add((logLevel, formatter(state, exception)));
    }
}
