using System.Collections.Concurrent;

namespace Know2Vec.Core.Inference;

/// <summary>
/// One <see cref="OnnxClassifier"/> (one InferenceSession) per model file, created on first use and
/// reused: sessions are expensive to create and their Run is thread-safe. Keyed by path and
/// sha256, so a replaced file gets a new session.
/// </summary>
public sealed class ClassifierCache(OnnxSessionFactory sessions) : IDisposable
{
    private readonly ConcurrentDictionary<(string Path, string Sha256), Lazy<OnnxClassifier>> _classifiers = new();

    public OnnxClassifier Get(string path, string sha256, (float Min, float Max) inputRange) =>
        _classifiers.GetOrAdd((path, sha256), key => new Lazy<OnnxClassifier>(() => new OnnxClassifier(key.Path, sessions, inputRange))).Value;

    public void Dispose()
    {
        foreach (var classifier in _classifiers.Values.Where(c => c.IsValueCreated))
        {
            classifier.Value.Dispose();
        }
    }
}
