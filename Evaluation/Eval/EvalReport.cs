namespace Know2Vec.Evaluation.Eval;

/// <summary>The evaluation's result, serialised as the results JSON.</summary>
/// <param name="Alignments">
/// For each Know2Vec method, the alignment version of the vectors it searched (read back from its
/// vector index): a silent fall-back from the trained alignment to zero-shot shows here.
/// </param>
public sealed record EvalReport(
    string Split,
    int Tasks,
    int Queries,
    int Models,
    IReadOnlyList<string> TaskIds,
    IReadOnlyList<MethodResult> Methods,
    BruteForceCost BruteForce,
    IReadOnlyList<string> Notes,
    IReadOnlyDictionary<string, string> Alignments)
{
    public MethodResult Method(string name) => Methods.Single(m => m.Name == name);
}

/// <summary>
/// One method's quality and cost, averaged over the query sets (NaN values, e.g. weighted tau of a
/// constant score, are left out of the means).
/// </summary>
/// <param name="Name">Method name (see <see cref="MethodNames"/>).</param>
/// <param name="Top1">A best-fit model ranked first (expected value under random tie-breaks of equal scores).</param>
/// <param name="Top5">A best-fit model among the first five.</param>
/// <param name="RegretAt1">Best fit minus the fit of the model ranked first.</param>
/// <param name="WeightedTau">Weighted Kendall tau, hyperbolic weigher, ranked by ground truth (scipy weightedtau rank=None).</param>
/// <param name="Spearman">Spearman's rank correlation with the ground-truth fits.</param>
/// <param name="QueryMsP50">Median wall time of one query, in ms, as the method would run it (see <see cref="BruteForceCost"/> for what is included).</param>
/// <param name="OwnTaskTop1">The model ranked first belongs to the query's task.</param>
/// <param name="WithinTaskTop1">Among the query task's own models only, the one the method ranks first has their best fit.</param>
/// <param name="WithinTaskGapCaptured">
/// How much of the weak-vs-strong difference among the task's own models the method captures:
/// Σ (fit of its pick − mean own fit) / Σ (best own fit − mean own fit) over query sets where the
/// own models differ. 1 = always the strongest, 0 = no better than picking at random, negative = worse.
/// </param>
/// <param name="Top1ClassJaccard">Jaccard overlap of the first-ranked model's classes with the query's (near misses score between 0 and 1).</param>
/// <param name="QueryMsMean">Mean wall time of one query, in ms.</param>
public sealed record MethodResult(
    string Name,
    double Top1,
    double Top5,
    double RegretAt1,
    double WeightedTau,
    double Spearman,
    double QueryMsP50,
    double OwnTaskTop1,
    double WithinTaskTop1,
    double WithinTaskGapCaptured,
    double Top1ClassJaccard,
    double QueryMsMean);

/// <summary>
/// What brute force costs against Know2Vec on this machine, and the zoo size where they cross.
/// Know2Vec query ≈ n·featurizer + encode/search (independent of model size; the search grows only
/// by a vector dot product per model); brute force ≈ M · (n·model forward + LogME).
/// </summary>
public sealed record BruteForceCost(
    string Provider,
    int ReferenceImages,
    double ModelMsPerSampleMean,
    double ModelMsPerSampleMin,
    double ModelMsPerSampleMax,
    double LogMeMsPerModel,
    double FeaturizerMsPerImage,
    double Know2VecEncodeSearchMsP50,
    int MedianQueryImages,
    double Know2VecQueryMsEstimate,
    double BruteForceMsPerModelTiny,
    double CrossoverZooSizeTiny,
    double BruteForceMsPerModelRealistic,
    double CrossoverZooSizeRealistic,
    string RealisticModelEstimate);

/// <summary>The methods the harness knows, by the names the results use.</summary>
public static class MethodNames
{
    public const string Random = "random";
    public const string Size = "size";
    public const string LabelOverlap = "label-overlap";
    public const string LogMe = "logme";
    public const string Know2VecZeroShot = "know2vec-zero-shot";
    public const string Know2Vec = "know2vec";
    public const string Know2VecUnlabelled = "know2vec-unlabelled";
    public const string Know2VecRerank = "know2vec-rerank5";
}
