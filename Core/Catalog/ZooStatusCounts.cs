namespace Know2Vec.Core.Catalog;

/// <summary>How far indexing of one zoo has got.</summary>
/// <param name="Total">Number of models in the zoo.</param>
/// <param name="Pending">Models not yet picked up.</param>
/// <param name="Indexing">Models being probed.</param>
/// <param name="Indexed">Models probed and searchable.</param>
/// <param name="Failed">Models whose probing failed.</param>
public sealed record ZooStatusCounts(int Total, int Pending, int Indexing, int Indexed, int Failed)
{
    /// <summary>
    /// Progress in percent, 0–100: finished models (indexed or failed — a failure is a final
    /// outcome, not work left) over all models. A zoo with no models has nothing left to do: 100.
    /// </summary>
    public double Percent => Total == 0 ? 100.0 : 100.0 * (Indexed + Failed) / Total;

    /// <summary>True when no model is pending or being indexed.</summary>
    public bool IsComplete => Pending == 0 && Indexing == 0;
}
