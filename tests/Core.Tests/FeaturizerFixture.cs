using Know2Vec.Core.Featurization;
using Know2Vec.Core.Inference;
using Microsoft.Extensions.Options;

namespace Know2Vec.Core.Tests;

/// <summary>One default featurizer shared by the featurizer tests (session creation takes ~0.3 s and 64 MB).</summary>
public sealed class FeaturizerFixture : IDisposable
{
    public FeaturizerFixture()
    {
        Featurizer = Create(new FeaturizerOptions());
    }

    public ResNet18Featurizer Featurizer { get; }

    public static OnnxSessionFactory CpuSessions() =>
        new(Options.Create(new InferenceOptions { Device = InferenceDevice.Cpu }));

    public static ResNet18Featurizer Create(FeaturizerOptions options) =>
        new(Options.Create(options), CpuSessions());

    public void Dispose() => Featurizer.Dispose();
}

[CollectionDefinition(Name)]
public sealed class FeaturizerCollection : ICollectionFixture<FeaturizerFixture>
{
    public const string Name = "Featurizer";
}
