using Know2Vec.Core.Catalog;
using Know2Vec.Core.Vectors;

namespace Know2Vec.Core.Zoo;

/// <summary>
/// Deletes a zoo everywhere it lives: the catalog (zoo, models, knowledge), the vector index, and the
/// model files when they came with an upload (a folder directly under <paramref name="uploadedZoosDirectory"/>);
/// files of a zoo registered by path are the operator's and stay.
/// </summary>
/// <param name="catalog">The catalog.</param>
/// <param name="vectors">The vector index.</param>
/// <param name="uploadedZoosDirectory">Where uploaded zoos keep their files, one folder each.</param>
public sealed class ZooDeletion(ICatalog catalog, IVectorIndex vectors, string uploadedZoosDirectory)
{
    /// <summary>Deletes the zoo; false when there is no zoo with this id.</summary>
    public async Task<bool> DeleteAsync(string zooId, CancellationToken cancellationToken)
    {
        var zoo = await catalog.GetZooAsync(zooId, cancellationToken);
        if (zoo is null || !await catalog.DeleteZooAsync(zooId, cancellationToken))
        {
            return false;
        }

        // Catalog first: a search that still finds a vector of this zoo drops it, having no catalog entry.
        await vectors.DeleteZooAsync(zooId, cancellationToken);
        if (IsUploadFolder(zoo.RootDirectory) && Directory.Exists(zoo.RootDirectory))
        {
            Directory.Delete(zoo.RootDirectory, recursive: true);
        }

        return true;
    }

    /// <summary>Whether <paramref name="zooRoot"/> is an upload folder (its files came with the upload and go with the zoo).</summary>
    public bool IsUploadFolder(string zooRoot) =>
        string.Equals(Path.GetDirectoryName(Path.GetFullPath(zooRoot)), Path.GetFullPath(uploadedZoosDirectory), StringComparison.Ordinal);
}
