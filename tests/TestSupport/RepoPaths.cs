using System.Runtime.CompilerServices;

namespace Know2Vec.TestSupport;

/// <summary>Where the repository, its committed zoo and samples, and the built executables are.</summary>
public static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    public static string ZooManifests => Path.Combine(Root, "zoo-manifests");

    /// <summary>Debug or Release: the configuration the test assembly was built in, which built the hosts too.</summary>
    public static string Configuration { get; } = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;

    public static string ApiDll => Built("Api", "Know2Vec.Api.dll");

    public static string IndexerDll => Built("Indexer", "Know2Vec.Indexer.dll");

    /// <summary>A committed sample image: zoo-manifests/samples/{dataset}/{class}/{index:00}.png.</summary>
    public static string Sample(string dataset, string @class, int index) =>
        Path.Combine(ZooManifests, "samples", dataset, @class, $"{index:00}.png");

    private static string Built(string project, string dll)
    {
        var path = Path.Combine(Root, project, "bin", Configuration, "net10.0", dll);
        return File.Exists(path) ? path : throw new FileNotFoundException($"{dll} is not built (expected {path}); build the solution first.", path);
    }

    private static string FindRoot([CallerFilePath] string source = "")
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Path.GetDirectoryName(source)! })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Know2Vec.sln")))
                {
                    return dir.FullName;
                }
            }
        }

        throw new InvalidOperationException("Know2Vec.sln not found above the test assembly.");
    }
}
