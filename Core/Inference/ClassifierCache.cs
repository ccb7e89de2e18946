using System.Collections.Concurrent;

namespace Know2Vec.Core.Inference;

/// <summary>
/// One <see cref="OnnxClassifier"/> (one InferenceSession) per model file, created on first use and
/// reused: sessions are expensive to create and their Run is thread-safe. Keyed by path, the
/// catalogued sha256 (a re-registered model with another file gets a new session) and the input
/// range. A failed creation is not remembered: the next call tries again.
/// </summary>
public sealed class ClassifierCache(OnnxSessionFactory sessions) : IDisposable
{
    private readonly ConcurrentDictionary<(string Path, string Sha256, float Min, float Max), Lazy<OnnxClassifier>> _classifiers = new();

    public OnnxClassifier Get(string path, string sha256, (float Min, float Max) inputRange)
    {
        var key = (path, sha256, inputRange.Min, inputRange.Max);
        var lazy = _classifiers.GetOrAdd(key, k => new Lazy<OnnxClassifier>(
            () => new OnnxClassifier(k.Item1, sessions, (k.Item3, k.Item4)), LazyThreadSafetyMode.ExecutionAndPublication));
        try
        {
            return lazy.Value;
        }
        catch
        {
            _classifiers.TryRemove(new KeyValuePair<(string, string, float, float), Lazy<OnnxClassifier>>(key, lazy));
            throw;
        }
    }

    public void Dispose()
    {
        foreach (var classifier in _classifiers.Values.Where(c => c.IsValueCreated))
        {
            classifier.Value.Dispose();
        }
    }
}
