using System.Text.Json;

namespace Know2Vec.Hosting;

/// <summary>
/// The zoos the seed manifests have already put in this data directory's catalog
/// (<see cref="Know2VecPaths.SeededZoos"/>: a JSON object, zoo id → the manifest it came from). A seed
/// manifest is registered once: a seed zoo that was deleted since stays deleted. Removing an id from
/// the file seeds that zoo again at the next start.
/// </summary>
internal sealed class SeededZoos
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    private readonly string _path;
    private readonly SortedDictionary<string, string> _zoos;

    private SeededZoos(string path, SortedDictionary<string, string> zoos)
    {
        _path = path;
        _zoos = zoos;
    }

    /// <summary>Reads the file; none yet is an empty list.</summary>
    /// <exception cref="JsonException">The file is not what this class writes.</exception>
    public static SeededZoos Load(string path)
    {
        var zoos = File.Exists(path)
            ? JsonSerializer.Deserialize<SortedDictionary<string, string>>(File.ReadAllText(path), Json) ?? []
            : [];
        return new SeededZoos(path, new SortedDictionary<string, string>(zoos, StringComparer.Ordinal));
    }

    public bool Contains(string zooId) => _zoos.ContainsKey(zooId);

    /// <summary>Remembers that <paramref name="zooId"/> was seeded from <paramref name="manifest"/> and saves the file at once.</summary>
    public void Add(string zooId, string manifest)
    {
        if (_zoos.TryGetValue(zooId, out var known) && known == manifest)
        {
            return;
        }
        _zoos[zooId] = manifest;
        // Written whole and renamed over the old file, so a crash never leaves half a file.
        var temporary = _path + ".tmp";
        File.WriteAllText(temporary, JsonSerializer.Serialize(_zoos, Json));
        File.Move(temporary, _path, overwrite: true);
    }
}
