using System.Collections.Concurrent;
using System.Text.Json;
using Know2Vec.Core.Zoo;

namespace Know2Vec.Core.Inference;

/// <summary>
/// One <see cref="OnnxClassifier"/> (one InferenceSession) per model file, created on first use and
/// reused: sessions are expensive to create and their Run is thread-safe. Keyed by path, the
/// catalogued sha256 (a re-registered model with another file gets a new session) and the declared
/// input. A failed creation is not remembered: the next call tries again.
/// </summary>
public sealed class ClassifierCache(OnnxSessionFactory sessions) : IDisposable
{
    private readonly ConcurrentDictionary<(string Path, string Sha256, string Input), Lazy<OnnxClassifier>> _classifiers = new();

    public OnnxClassifier Get(string path, string sha256, ManifestInput input)
    {
        // The declaration as JSON: its lists compare by value that way.
        var key = (path, sha256, JsonSerializer.Serialize(input, ManifestValidator.JsonOptions));
        var lazy = _classifiers.GetOrAdd(key, k => new Lazy<OnnxClassifier>(
            () =>
            {
                // The file must still be the one that was indexed: a replaced file is never run under the old record.
                var actual = ManifestValidator.Sha256Of(k.Path);
                return string.Equals(actual, k.Sha256, StringComparison.OrdinalIgnoreCase)
                    ? new OnnxClassifier(k.Path, sessions, input)
                    : throw new InvalidDataException($"the file changed since it was catalogued (sha256 {actual}, catalogued {k.Sha256})");
            },
            LazyThreadSafetyMode.ExecutionAndPublication));
        try
        {
            return lazy.Value;
        }
        catch
        {
            _classifiers.TryRemove(new KeyValuePair<(string, string, string), Lazy<OnnxClassifier>>(key, lazy));
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
