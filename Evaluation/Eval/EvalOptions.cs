using Know2Vec.Evaluation.Benchmark;

namespace Know2Vec.Evaluation.Eval;

/// <summary>What one run of the evaluation harness covers.</summary>
public sealed record EvalOptions
{
    /// <summary>The zoo-manifests folder of the benchmark.</summary>
    public required string ZooManifestsDirectory { get; init; }

    /// <summary>Where probed knowledge and query features are cached between runs (shared with `zero-shot` and `export`).</summary>
    public required string CacheDirectory { get; init; }

    /// <summary>Benchmark split whose tasks, models and query sets are evaluated ("all" for both).</summary>
    public string Split { get; init; } = BenchmarkData.MetaTest;

    /// <summary>Only these tasks of the split (null: all). Their models are the zoo being ranked.</summary>
    public IReadOnlyList<string>? TaskIds { get; init; }

    /// <summary>At most this many query sets per task, in benchmark order (null: all).</summary>
    public int? QueriesPerTask { get; init; }

    /// <summary>At most this many query sets in all, taken round-robin over the tasks so every task is covered (null: all).</summary>
    public int? MaxQueries { get; init; }

    /// <summary>Folder of a trained alignment (tools/align-trainer output); null or missing: the `know2vec` method is skipped.</summary>
    public string? AlignmentDirectory { get; init; }

    /// <summary>Seed of the `random` baseline.</summary>
    public int Seed { get; init; } = 20250101;

    /// <summary>Timed repetitions per model (and for the featurizer) in the brute-force cost measurement.</summary>
    public int CostRepetitions { get; init; } = 5;

    /// <summary>How many of Know2Vec's top models `know2vec-rerank5` re-orders by LogME.</summary>
    public int RerankTop { get; init; } = 5;
}
