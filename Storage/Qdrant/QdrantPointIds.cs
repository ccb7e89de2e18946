using System.Security.Cryptography;
using System.Text;

namespace Know2Vec.Storage.Qdrant;

/// <summary>
/// Deterministic Qdrant point ids: the RFC 4122 version-5 (SHA-1, name-based) UUID of the model's
/// catalog id in Know2Vec's namespace. Re-running a probe job overwrites the same point, and no
/// process ever needs to read before it writes.
/// </summary>
public static class QdrantPointIds
{
    /// <summary>Know2Vec's UUID namespace for model ids: UUIDv5 of "know2vec:model" in the RFC 4122 URL namespace.</summary>
    public static readonly Guid ModelNamespace = Create(new Guid("6ba7b811-9dad-11d1-80b4-00c04fd430c8"), "know2vec:model");

    /// <summary>The point id of a model.</summary>
    public static Guid ForModel(string modelId)
    {
        ArgumentException.ThrowIfNullOrEmpty(modelId);
        return Create(ModelNamespace, modelId);
    }

    /// <summary>A version-5 UUID of <paramref name="name"/> (UTF-8) in <paramref name="namespaceId"/>, as RFC 4122 §4.3 defines it.</summary>
    public static Guid Create(Guid namespaceId, string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        Span<byte> ns = stackalloc byte[16];
        // RFC 4122 hashes the namespace in network byte order: big-endian.
        namespaceId.TryWriteBytes(ns, bigEndian: true, out _);
        var nameBytes = Encoding.UTF8.GetBytes(name);
        var input = new byte[16 + nameBytes.Length];
        ns.CopyTo(input);
        nameBytes.CopyTo(input, 16);

        Span<byte> hash = stackalloc byte[SHA1.HashSizeInBytes];
        SHA1.HashData(input, hash);
        var bytes = hash[..16];
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x50); // version 5
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80); // RFC 4122 variant
        return new Guid(bytes, bigEndian: true);
    }
}
