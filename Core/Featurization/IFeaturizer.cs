using Know2Vec.Core.Imaging;

namespace Know2Vec.Core.Featurization;

/// <summary>
/// The shared image encoder φ. The same instance (and the same input normalisation) must be used
/// for probing models and for queries: that is what makes model knowledge and query knowledge
/// comparable. Implementations are thread-safe.
/// </summary>
public interface IFeaturizer
{
    /// <summary>Length of every feature vector (512 for ResNet18).</summary>
    int Dimension { get; }

    /// <summary>
    /// Encodes images of any size (intensities in 0..1) into one feature vector each, in input order.
    /// Features are not normalised.
    /// </summary>
    /// <param name="images">The images; may be empty.</param>
    /// <param name="cancellationToken">Checked between batches and able to stop a running batch.</param>
    /// <returns>One array of <see cref="Dimension"/> floats per image.</returns>
    float[][] Featurize(IReadOnlyList<RasterImage> images, CancellationToken cancellationToken = default);
}
