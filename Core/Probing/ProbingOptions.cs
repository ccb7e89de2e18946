using System.ComponentModel.DataAnnotations;

namespace Know2Vec.Core.Probing;

/// <summary>How models are probed (section Know2Vec:Probing).</summary>
public sealed class ProbingOptions
{
    public const string SectionName = "Know2Vec:Probing";

    /// <summary>Probes kept per class as its nodes: the ones the model assigns to it most confidently.</summary>
    [Range(1, 64)]
    public int NodesPerClass { get; set; } = 5;

    /// <summary>Bisection steps between two nodes; 8 steps put the boundary sample within 1/256 of the segment.</summary>
    [Range(1, 20)]
    public int BisectionSteps { get; set; } = 8;

    /// <summary>
    /// Most input values per image (C·H·W) a model may declare; larger models are refused at
    /// registration (probing feeds hundreds of images, so the input size bounds its cost and memory).
    /// </summary>
    [Range(1, int.MaxValue)]
    public long MaxInputValues { get; set; } = Inference.ModelInputResolver.DefaultMaxInputValues;

    /// <summary>
    /// Most classes a model may have to be probed: the knowledge tensor holds C × C feature
    /// vectors and boundaries need C × (C − 1) bisections, so cost and memory grow with C².
    /// A model above the cap is marked failed with this reason rather than exhausting the service.
    /// </summary>
    [Range(2, 1000)]
    public int MaxClasses { get; set; } = 100;

    /// <summary>Whether to search decision boundaries at all (they cost one model run per step and featurizer time).</summary>
    public bool Boundaries { get; set; } = true;
}
