namespace Know2Vec.Core.Catalog;

/// <summary>Where a model is in the indexing pipeline.</summary>
public enum ModelStatus
{
    /// <summary>Registered, not yet picked up by a probe job.</summary>
    Pending,

    /// <summary>A probe job is working on it.</summary>
    Indexing,

    /// <summary>Probed; its knowledge is stored and its vector is in the index.</summary>
    Indexed,

    /// <summary>Probing failed; <see cref="ModelRecord.FailureReason"/> says why. One bad model never fails its zoo.</summary>
    Failed,
}
