namespace Know2Vec.Core.Alignment;

/// <summary>Which alignment the service uses (section Know2Vec:Alignment).</summary>
public sealed class AlignmentOptions
{
    public const string SectionName = "Know2Vec:Alignment";

    /// <summary>
    /// Folder of a trained alignment (tools/align-trainer output). When it holds one, the service
    /// uses it; when it is empty or the folder has none, the zero-shot alignment. Relative paths
    /// resolve against Know2Vec:BaseDirectory.
    /// </summary>
    public string? Directory { get; set; } = "zoo-manifests/alignment/know2vec-v1";
}
