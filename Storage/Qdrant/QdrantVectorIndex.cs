using System.Globalization;
using System.Numerics.Tensors;
using Grpc.Core;
using Know2Vec.Core.Catalog;
using Qdrant.Client;
using Qdrant.Client.Grpc;
using static Qdrant.Client.Grpc.Conditions;

namespace Know2Vec.Storage.Qdrant;

/// <summary>
/// The distributed vector index: a Qdrant collection reached over gRPC with the one, shared
/// <see cref="QdrantClient"/> of the process. Every process addresses the collection through an
/// alias (<see cref="QdrantVectorIndexOptions.Collection"/>) that points at a physical collection
/// <c>{alias}-{generation}</c>; <see cref="BeginRebuildAsync"/> fills a new generation and swaps the
/// alias when it is complete.
/// </summary>
/// <remarks>
/// <para>The collection is created on first write with the batch's dimension and cosine distance,
/// and the payload indexes of every filter field (zoo, architecture, tags, parameters) plus the
/// alignment version are created before any point is loaded, so filtered HNSW search uses them from
/// the start. Until then the index is empty: searches return nothing and any dimension is accepted.</para>
/// <para>Point ids are <see cref="QdrantPointIds.ForModel"/> (UUIDv5 of the model id); the model id
/// itself is in the payload. Upserts go in batches of <see cref="QdrantVectorIndexOptions.UpsertBatchSize"/>
/// and wait for the write to be applied. Searches use the Query API with the filter mapped from the
/// same <see cref="ModelFilter"/> the embedded index uses; equal scores are ordered by model id, as the
/// contract requires, by asking Qdrant for more hits while a tie crosses the top-k boundary.</para>
/// </remarks>
public sealed class QdrantVectorIndex : IVectorIndex
{
    private readonly QdrantClient _client;
    private readonly QdrantVectorIndexOptions _options;
    private readonly string _name;      // what operations address: the alias, or a physical collection while rebuilding
    private readonly bool _viaAlias;
    private readonly SemaphoreSlim _createGate = new(1, 1);
    private volatile int _dimension;    // 0 until the collection is known to exist

    /// <param name="client">The process's one Qdrant client (a singleton: it owns the gRPC channel).</param>
    /// <param name="options">Collection alias, batch size, shards.</param>
    public QdrantVectorIndex(QdrantClient client, QdrantVectorIndexOptions options)
        : this(client, options, options?.Collection ?? throw new ArgumentNullException(nameof(options)), viaAlias: true)
    {
    }

    private QdrantVectorIndex(QdrantClient client, QdrantVectorIndexOptions options, string name, bool viaAlias)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(options);
        _client = client;
        _options = options;
        _name = name;
        _viaAlias = viaAlias;
    }

    /// <summary>The name operations address: the alias (or, for a rebuild's index, the new physical collection).</summary>
    public string CollectionName => _name;

    /// <inheritdoc/>
    public async Task UpsertAsync(IReadOnlyList<VectorPoint> points, CancellationToken cancellationToken)
    {
        var prepared = VectorValidation.Prepare(points);
        if (prepared.Length == 0)
        {
            return;
        }
        var dimension = prepared[0].Vector.Length;

        var existing = await EnsureCollectionAsync(dimension, cancellationToken);
        if (existing != dimension)
        {
            throw new ArgumentException(
                $"The index holds {existing}-dimensional vectors; cannot upsert {dimension}-dimensional ones.", nameof(points));
        }

        foreach (var batch in prepared.Chunk(_options.UpsertBatchSize))
        {
            var structs = batch.Select(ToPointStruct).ToArray();
            await _client.UpsertAsync(_name, structs, wait: true, cancellationToken: cancellationToken);
        }
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<VectorHit>> SearchAsync(float[] query, int topK, ModelFilter filter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfLessThan(topK, 1);
        ArgumentNullException.ThrowIfNull(filter);
        var normalised = VectorValidation.Normalise(query, nameof(query));

        var dimension = await GetDimensionAsync(cancellationToken);
        if (dimension == 0)
        {
            return [];
        }
        if (normalised.Length != dimension)
        {
            throw new ArgumentException(
                $"The query has {normalised.Length} dimensions; the index holds {dimension}-dimensional vectors.", nameof(query));
        }

        var qdrantFilter = QdrantFilters.From(filter);
        var searchParams = new SearchParams { Exact = _options.ExactSearch };
        // Ask for one more than needed: if the extra hit ties with the k-th, a tie crosses the
        // boundary and Qdrant's choice among equal scores is arbitrary, so ask for more until it does not.
        var limit = (ulong)topK + 1;
        IReadOnlyList<ScoredPoint> found;
        while (true)
        {
            found = await _client.QueryAsync(
                _name,
                query: normalised,
                filter: qdrantFilter,
                searchParams: searchParams,
                limit: limit,
                payloadSelector: true,
                vectorsSelector: false,
                cancellationToken: cancellationToken);
            if ((ulong)found.Count < limit || found[^1].Score != found[topK - 1].Score)
            {
                break;
            }
            limit = checked(limit * 2);
        }

        return found
            .Select(p => new VectorHit(ModelId(p.Payload), p.Score, ReadPayload(p.Payload)))
            .OrderByDescending(h => h.Score)
            .ThenBy(h => h.ModelId, StringComparer.Ordinal)
            .Take(topK)
            .ToArray();
    }

    /// <inheritdoc/>
    public async Task DeleteAsync(IReadOnlyList<string> modelIds, CancellationToken cancellationToken)
    {
        if (!VectorValidation.AnyIds(modelIds))
        {
            return;
        }
        if (await GetDimensionAsync(cancellationToken) == 0)
        {
            return;
        }
        var ids = modelIds.Select(QdrantPointIds.ForModel).Distinct().ToArray();
        await _client.DeleteAsync(_name, ids, wait: true, cancellationToken: cancellationToken);
    }

    /// <inheritdoc/>
    public async Task DeleteZooAsync(string zooId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(zooId);
        if (await GetDimensionAsync(cancellationToken) == 0)
        {
            return;
        }
        await _client.DeleteAsync(_name, MatchKeyword(QdrantPayload.ZooId, zooId), wait: true, cancellationToken: cancellationToken)
            ;
    }

    /// <inheritdoc/>
    public async Task<long> CountAsync(CancellationToken cancellationToken)
    {
        if (await GetDimensionAsync(cancellationToken) == 0)
        {
            return 0;
        }
        return (long)await _client.CountAsync(_name, exact: true, cancellationToken: cancellationToken);
    }

    /// <inheritdoc/>
    public async Task<VectorPoint?> GetAsync(string modelId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(modelId);
        if (await GetDimensionAsync(cancellationToken) == 0)
        {
            return null;
        }
        var points = await _client.RetrieveAsync(_name, QdrantPointIds.ForModel(modelId), withPayload: true, withVectors: true,
            cancellationToken: cancellationToken);
        if (points.Count == 0)
        {
            return null;
        }
        var point = points[0];
        return new VectorPoint(ModelId(point.Payload), ReadVector(point.Vectors), ReadPayload(point.Payload));
    }

    /// <summary>
    /// Starts re-encoding into a new physical collection (the next generation, created with
    /// <paramref name="dimension"/> and the payload indexes); searches keep using the current one
    /// until <see cref="QdrantRebuild.CompleteAsync"/> swaps the alias. Write every point through
    /// <see cref="QdrantRebuild.Index"/>.
    /// </summary>
    public async Task<QdrantRebuild> BeginRebuildAsync(int dimension, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dimension, 1);
        if (!_viaAlias)
        {
            throw new InvalidOperationException("A rebuild's own index cannot start another rebuild.");
        }
        var current = await CurrentCollectionAsync(cancellationToken);
        var next = NextGeneration(_name, current);
        // Left over from an abandoned rebuild: start it afresh.
        if (await _client.CollectionExistsAsync(next, cancellationToken))
        {
            await _client.DeleteCollectionAsync(next, cancellationToken: cancellationToken);
        }
        await CreatePhysicalAsync(next, dimension, cancellationToken);
        var index = new QdrantVectorIndex(_client, _options, next, viaAlias: false) { _dimension = dimension };
        return new QdrantRebuild(this, index, current);
    }

    /// <summary>Points the alias at <paramref name="collection"/> in one atomic alias update, then drops <paramref name="previous"/>.</summary>
    internal async Task SwapAliasAsync(string collection, string? previous, CancellationToken cancellationToken)
    {
        var operations = new List<AliasOperations>();
        if (previous is not null)
        {
            operations.Add(new AliasOperations { DeleteAlias = new DeleteAlias { AliasName = _name } });
        }
        operations.Add(new AliasOperations { CreateAlias = new CreateAlias { CollectionName = collection, AliasName = _name } });
        await _client.UpdateAliasesAsync(operations, cancellationToken: cancellationToken);
        _dimension = 0; // re-read: the new generation may have another dimension
        if (previous is not null && previous != collection)
        {
            await _client.DeleteCollectionAsync(previous, cancellationToken: cancellationToken);
        }
    }

    internal Task DropAsync(CancellationToken cancellationToken) =>
        _client.DeleteCollectionAsync(_name, cancellationToken: cancellationToken);

    /// <summary>The physical collection the alias points at, or null.</summary>
    private async Task<string?> CurrentCollectionAsync(CancellationToken cancellationToken)
    {
        var aliases = await _client.ListAliasesAsync(cancellationToken);
        return aliases.FirstOrDefault(a => a.AliasName == _name)?.CollectionName;
    }

    internal static string NextGeneration(string alias, string? current)
    {
        var generation = 0;
        if (current is not null && current.StartsWith(alias + "-", StringComparison.Ordinal)
            && int.TryParse(current.AsSpan(alias.Length + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var n))
        {
            generation = n;
        }
        return $"{alias}-{generation + 1}";
    }

    /// <summary>The stored dimension, or 0 when the collection does not exist yet.</summary>
    private async Task<int> GetDimensionAsync(CancellationToken cancellationToken)
    {
        if (_dimension > 0)
        {
            return _dimension;
        }
        try
        {
            var info = await _client.GetCollectionInfoAsync(_name, cancellationToken);
            var size = (int)info.Config.Params.VectorsConfig.Params.Size;
            _dimension = size;
            return size;
        }
        catch (RpcException e) when (IsNotFound(e))
        {
            return 0; // not cached: another process may create it any moment
        }
    }

    /// <summary>Creates the collection (and alias) with <paramref name="dimension"/> unless it exists; returns the stored dimension.</summary>
    private async Task<int> EnsureCollectionAsync(int dimension, CancellationToken cancellationToken)
    {
        var existing = await GetDimensionAsync(cancellationToken);
        if (existing > 0)
        {
            return existing;
        }
        if (!_viaAlias)
        {
            throw new InvalidOperationException($"The collection {_name} does not exist (was the rebuild abandoned?).");
        }

        await _createGate.WaitAsync(cancellationToken);
        try
        {
            existing = await GetDimensionAsync(cancellationToken);
            if (existing > 0)
            {
                return existing;
            }
            // Several workers may get here at once: the physical name is deterministic, creation of
            // an existing collection or alias is tolerated, and everyone re-reads what won.
            var physical = NextGeneration(_name, null);
            await CreatePhysicalAsync(physical, dimension, cancellationToken);
            try
            {
                await _client.CreateAliasAsync(_name, physical, cancellationToken: cancellationToken);
            }
            catch (RpcException e) when (IsAlreadyExists(e))
            {
            }
            existing = await GetDimensionAsync(cancellationToken);
            return existing > 0 ? existing : throw new InvalidOperationException($"Qdrant collection alias {_name} could not be created.");
        }
        finally
        {
            _createGate.Release();
        }
    }

    /// <summary>A physical collection with cosine distance and every payload index, created before any point is loaded.</summary>
    private async Task CreatePhysicalAsync(string name, int dimension, CancellationToken cancellationToken)
    {
        try
        {
            await _client.CreateCollectionAsync(new CreateCollection
            {
                CollectionName = name,
                VectorsConfig = new VectorsConfig { Params = new VectorParams { Size = (ulong)dimension, Distance = Distance.Cosine } },
                ShardNumber = _options.ShardNumber,
                ReplicationFactor = _options.ReplicationFactor,
            }, cancellationToken);
        }
        catch (RpcException e) when (IsAlreadyExists(e))
        {
        }
        foreach (var (field, type) in QdrantPayload.Indexes)
        {
            // Idempotent on the server: an existing index of the same type is kept.
            await _client.CreatePayloadIndexAsync(name, field, type, wait: true, cancellationToken: cancellationToken);
        }
    }

    private static bool IsNotFound(RpcException e) =>
        e.StatusCode == StatusCode.NotFound
        || (e.StatusCode is StatusCode.InvalidArgument or StatusCode.Unknown && e.Status.Detail.Contains("doesn't exist", StringComparison.OrdinalIgnoreCase));

    private static bool IsAlreadyExists(RpcException e) =>
        e.StatusCode == StatusCode.AlreadyExists
        || (e.StatusCode is StatusCode.InvalidArgument or StatusCode.Unknown && e.Status.Detail.Contains("already exists", StringComparison.OrdinalIgnoreCase));

    private static PointStruct ToPointStruct(VectorPoint point) => new()
    {
        Id = QdrantPointIds.ForModel(point.ModelId),
        Vectors = point.Vector,
        Payload =
        {
            [QdrantPayload.ModelId] = point.ModelId,
            [QdrantPayload.ZooId] = point.Payload.ZooId,
            [QdrantPayload.Architecture] = point.Payload.Architecture,
            [QdrantPayload.Tags] = point.Payload.Tags.ToArray(),
            [QdrantPayload.Parameters] = point.Payload.Parameters,
            [QdrantPayload.AlignmentVersion] = point.Payload.AlignmentVersion,
        },
    };

    private static string ModelId(IDictionary<string, Value> payload) =>
        payload.TryGetValue(QdrantPayload.ModelId, out var id) ? id.StringValue : throw new InvalidDataException("A Qdrant point has no model_id in its payload.");

    private static VectorPayload ReadPayload(IDictionary<string, Value> payload)
    {
        string Text(string key) => payload.TryGetValue(key, out var v) ? v.StringValue : "";
        var tags = payload.TryGetValue(QdrantPayload.Tags, out var t)
            ? t.KindCase == Value.KindOneofCase.ListValue
                ? t.ListValue.Values.Select(v => v.StringValue).ToArray()
                : [t.StringValue] // Qdrant returns a one-element list as written, but be lenient
            : [];
        var parameters = payload.TryGetValue(QdrantPayload.Parameters, out var p) ? p.IntegerValue : 0;
        return new VectorPayload(Text(QdrantPayload.ZooId), Text(QdrantPayload.Architecture), tags, parameters, Text(QdrantPayload.AlignmentVersion));
    }

    private static float[] ReadVector(VectorsOutput vectors)
    {
        var vector = vectors.Vector;
#pragma warning disable CS0612, CS0618 // the deprecated flat 'data' field is what older servers fill
        return vector.Dense is { Data.Count: > 0 } dense ? dense.Data.ToArray() : vector.Data.ToArray();
#pragma warning restore CS0612, CS0618
    }
}

/// <summary>
/// A re-encoding in progress: a new physical collection that <see cref="Index"/> writes to while
/// searches still use the alias's current collection. <see cref="CompleteAsync"/> swaps the alias
/// atomically and drops the old collection; disposing without completing drops the new one.
/// </summary>
public sealed class QdrantRebuild : IAsyncDisposable
{
    private readonly QdrantVectorIndex _owner;
    private readonly QdrantVectorIndex _index;
    private readonly string? _previous;
    private bool _completed;

    internal QdrantRebuild(QdrantVectorIndex owner, QdrantVectorIndex index, string? previous)
    {
        _owner = owner;
        _index = index;
        _previous = previous;
    }

    /// <summary>The new collection; upsert every point here.</summary>
    public IVectorIndex Index => _index;

    /// <summary>Name of the new physical collection.</summary>
    public string Collection => _index.CollectionName;

    /// <summary>The collection the alias pointed at when the rebuild began (dropped on completion), or null.</summary>
    public string? PreviousCollection => _previous;

    /// <summary>Points the alias at the new collection and drops the previous one.</summary>
    public async Task CompleteAsync(CancellationToken cancellationToken)
    {
        await _owner.SwapAliasAsync(_index.CollectionName, _previous, cancellationToken);
        _completed = true;
    }

    /// <summary>Drops the new collection unless the rebuild completed.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_completed)
        {
            _completed = true;
            await _index.DropAsync(CancellationToken.None);
        }
    }
}
