namespace Know2Vec.Evaluation;

/// <summary>The evaluation tool's arguments: a command, then `--name value` options.</summary>
public sealed class CommandLine(string[] args)
{
    public string Command => args.FirstOrDefault() ?? "";

    public string? Option(string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    public bool Flag(string name) => args.Contains(name);

    /// <summary>Where probed knowledge and query features are cached between runs (--cache).</summary>
    public string CacheDirectory => Option("--cache") ?? Path.Combine(Path.GetTempPath(), "know2vec-eval-cache");
}
