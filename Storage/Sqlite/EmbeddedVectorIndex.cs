using System.Numerics.Tensors;
using System.Text.Json;
using Know2Vec.Core.Catalog;
using Know2Vec.Core.Knowledge;
using Microsoft.Data.Sqlite;

namespace Know2Vec.Storage.Sqlite;

/// <summary>
/// The embedded vector index: every point is held in memory in one contiguous matrix and searched
/// by an exact SIMD cosine scan; points are persisted in a SQLite table and loaded lazily on first
/// use, so a restarted process sees everything.
/// </summary>
/// <remarks>
/// <para>An exact scan is the right tool at zoo scale: 10,000 models × 256 floats is 10 MB and a
/// scan takes a few milliseconds, with no approximation to tune. Qdrant takes over in the
/// distributed deployment.</para>
/// <para>The in-memory copy is authoritative for searches, so register one instance per file per
/// process (a singleton). Another process writing the same table is not seen until restart; the
/// embedded deployment runs its workers in the API process, so it has one writer process.</para>
/// <para>Concurrency: writers are serialised by an async gate (SQLite write, then memory update, in
/// the same order for everyone, so file and memory never disagree); searches share a read lock
/// and only wait for the short in-memory part of a write.</para>
/// </remarks>
public sealed class EmbeddedVectorIndex : IVectorIndex, IDisposable
{
    internal const string Component = "vectors";

    // Script i moves the schema from version i to i + 1; never edit a shipped script, append one.
    internal static readonly IReadOnlyList<string> Migrations =
    [
        """
        CREATE TABLE IF NOT EXISTS vector_points (
            model_id          TEXT PRIMARY KEY NOT NULL,
            zoo_id            TEXT NOT NULL,
            architecture      TEXT NOT NULL,
            tags_json         TEXT NOT NULL,
            parameters        INTEGER NOT NULL,
            alignment_version TEXT NOT NULL,
            dimension         INTEGER NOT NULL,
            vector            BLOB NOT NULL
        );
        CREATE INDEX IF NOT EXISTS ix_vector_points_zoo ON vector_points (zoo_id);
        """,
    ];

    private const int CancellationCheckInterval = 4096;

    private readonly SqliteDatabase _database;
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private readonly ReaderWriterLockSlim _lock = new(LockRecursionPolicy.NoRecursion);
    private volatile bool _loaded;
    private bool _disposed;

    // In-memory state: row r of _matrix (length _dimension, L2-normalised) belongs to _ids[r].
    // Guarded by _lock; only mutated while also holding _writeGate.
    private int _dimension; // 0 while empty: an empty index accepts any dimension
    private float[] _matrix = [];
    private readonly List<string> _ids = [];
    private readonly List<VectorPayload> _payloads = [];
    private readonly Dictionary<string, int> _rows = new(StringComparer.Ordinal);

    /// <summary>An index persisted in the SQLite file at <paramref name="databasePath"/>, with default settings.</summary>
    public EmbeddedVectorIndex(string databasePath)
        : this(new SqliteStorageOptions { DatabasePath = databasePath })
    {
    }

    /// <summary>An index with explicit settings.</summary>
    public EmbeddedVectorIndex(SqliteStorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _database = new SqliteDatabase(options.DatabasePath, options.BusyTimeout, Component, Migrations);
    }

    /// <summary>Full path of the database file.</summary>
    public string DatabasePath => _database.Path;

    /// <inheritdoc/>
    public async Task UpsertAsync(IReadOnlyList<VectorPoint> points, CancellationToken cancellationToken)
    {
        var prepared = VectorValidation.Prepare(points);
        if (prepared.Length == 0)
        {
            return;
        }
        var dimension = prepared[0].Vector.Length;

        await EnsureLoadedAsync(cancellationToken);
        await _writeGate.WaitAsync(cancellationToken);
        try
        {
            // Only writers change _dimension and we are the only writer now: no read lock needed.
            if (_ids.Count > 0 && dimension != _dimension)
            {
                throw new ArgumentException(
                    $"The index holds {_dimension}-dimensional vectors; cannot upsert {dimension}-dimensional ones.", nameof(points));
            }

            await using (var connection = await _database.OpenAsync(cancellationToken))
            await using (var transaction = SqliteDatabase.BeginImmediate(connection))
            {
                await using var command = connection.CreateCommand();
                command.Transaction = transaction;
                command.CommandText = """
                    INSERT INTO vector_points (model_id, zoo_id, architecture, tags_json, parameters, alignment_version, dimension, vector)
                    VALUES ($id, $zoo, $arch, $tags, $params, $alignment, $dimension, $vector)
                    ON CONFLICT (model_id) DO UPDATE SET
                        zoo_id = excluded.zoo_id,
                        architecture = excluded.architecture,
                        tags_json = excluded.tags_json,
                        parameters = excluded.parameters,
                        alignment_version = excluded.alignment_version,
                        dimension = excluded.dimension,
                        vector = excluded.vector;
                    """;
                var id = command.Parameters.Add("$id", SqliteType.Text);
                var zoo = command.Parameters.Add("$zoo", SqliteType.Text);
                var arch = command.Parameters.Add("$arch", SqliteType.Text);
                var tags = command.Parameters.Add("$tags", SqliteType.Text);
                var parameters = command.Parameters.Add("$params", SqliteType.Integer);
                var alignment = command.Parameters.Add("$alignment", SqliteType.Text);
                var dim = command.Parameters.Add("$dimension", SqliteType.Integer);
                var vector = command.Parameters.Add("$vector", SqliteType.Blob);
                foreach (var point in prepared)
                {
                    id.Value = point.ModelId;
                    zoo.Value = point.Payload.ZooId;
                    arch.Value = point.Payload.Architecture;
                    tags.Value = JsonSerializer.Serialize(point.Payload.Tags);
                    parameters.Value = point.Payload.Parameters;
                    alignment.Value = point.Payload.AlignmentVersion;
                    dim.Value = dimension;
                    vector.Value = LittleEndianFloats.ToBytes(point.Vector);
                    await command.ExecuteNonQueryAsync(cancellationToken);
                }
                await transaction.CommitAsync(cancellationToken);
            }

            // Committed: from here on the memory must follow the file, so no cancellation.
            _lock.EnterWriteLock();
            try
            {
                foreach (var point in prepared)
                {
                    SetRow(point.ModelId, point.Vector, point.Payload);
                }
            }
            finally
            {
                _lock.ExitWriteLock();
            }
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<VectorHit>> SearchAsync(float[] query, int topK, ModelFilter filter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfLessThan(topK, 1);
        ArgumentNullException.ThrowIfNull(filter);
        var normalised = VectorValidation.Normalise(query, nameof(query));

        await EnsureLoadedAsync(cancellationToken);

        // Synchronous from here: ReaderWriterLockSlim is thread-affine, so no await inside it.
        _lock.EnterReadLock();
        try
        {
            var count = _ids.Count;
            if (count == 0)
            {
                return [];
            }
            if (normalised.Length != _dimension)
            {
                throw new ArgumentException(
                    $"The query has {normalised.Length} dimensions; the index holds {_dimension}-dimensional vectors.", nameof(query));
            }

            // Min-heap of the best k so far: its root is the worst kept hit.
            var best = new PriorityQueue<int, Ranked>(Math.Min(topK, count) + 1, WorstFirst.Instance);
            ReadOnlySpan<float> matrix = _matrix;
            for (var row = 0; row < count; row++)
            {
                if (row % CancellationCheckInterval == 0)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                }
                var payload = _payloads[row];
                // Filter first: a non-matching point costs no dot product.
                if (!filter.Matches(payload.ZooId, payload.Architecture, payload.Tags, payload.Parameters))
                {
                    continue;
                }
                // Both sides are unit vectors, so the dot product is the cosine similarity.
                var score = TensorPrimitives.Dot(matrix.Slice(row * _dimension, _dimension), normalised);
                var candidate = new Ranked(score, _ids[row]);
                if (best.Count < topK)
                {
                    best.Enqueue(row, candidate);
                }
                else if (best.TryPeek(out _, out var worst) && WorstFirst.Instance.Compare(candidate, worst) > 0)
                {
                    best.DequeueEnqueue(row, candidate);
                }
            }

            var hits = new VectorHit[best.Count];
            // Dequeue yields worst first: fill from the back to get best first.
            for (var i = hits.Length - 1; i >= 0; i--)
            {
                best.TryDequeue(out var row, out var ranked);
                hits[i] = new VectorHit(ranked.ModelId, ranked.Score, _payloads[row]);
            }
            return hits;
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    /// <inheritdoc/>
    public async Task DeleteAsync(IReadOnlyList<string> modelIds, CancellationToken cancellationToken)
    {
        if (!VectorValidation.AnyIds(modelIds))
        {
            return;
        }

        await EnsureLoadedAsync(cancellationToken);
        await _writeGate.WaitAsync(cancellationToken);
        try
        {
            await using (var connection = await _database.OpenAsync(cancellationToken))
            await using (var transaction = SqliteDatabase.BeginImmediate(connection))
            {
                await using var command = connection.CreateCommand();
                command.Transaction = transaction;
                command.CommandText = "DELETE FROM vector_points WHERE model_id = $id;";
                var id = command.Parameters.Add("$id", SqliteType.Text);
                foreach (var modelId in modelIds)
                {
                    id.Value = modelId;
                    await command.ExecuteNonQueryAsync(cancellationToken);
                }
                await transaction.CommitAsync(cancellationToken);
            }

            _lock.EnterWriteLock();
            try
            {
                foreach (var modelId in modelIds)
                {
                    RemoveRow(modelId);
                }
            }
            finally
            {
                _lock.ExitWriteLock();
            }
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <inheritdoc/>
    public async Task DeleteZooAsync(string zooId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(zooId);
        await EnsureLoadedAsync(cancellationToken);
        await _writeGate.WaitAsync(cancellationToken);
        try
        {
            await using (var connection = await _database.OpenAsync(cancellationToken))
            await using (var command = connection.CreateCommand())
            {
                command.CommandText = "DELETE FROM vector_points WHERE zoo_id = $zoo;";
                command.Parameters.AddWithValue("$zoo", zooId);
                await command.ExecuteNonQueryAsync(cancellationToken);
            }

            _lock.EnterWriteLock();
            try
            {
                var doomed = new List<string>();
                for (var row = 0; row < _ids.Count; row++)
                {
                    if (string.Equals(_payloads[row].ZooId, zooId, StringComparison.Ordinal))
                    {
                        doomed.Add(_ids[row]);
                    }
                }
                foreach (var modelId in doomed)
                {
                    RemoveRow(modelId);
                }
            }
            finally
            {
                _lock.ExitWriteLock();
            }
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <inheritdoc/>
    public async Task<long> CountAsync(CancellationToken cancellationToken)
    {
        await EnsureLoadedAsync(cancellationToken);
        _lock.EnterReadLock();
        try
        {
            return _ids.Count;
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    /// <inheritdoc/>
    public async Task<VectorPoint?> GetAsync(string modelId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(modelId);
        await EnsureLoadedAsync(cancellationToken);
        _lock.EnterReadLock();
        try
        {
            if (!_rows.TryGetValue(modelId, out var row))
            {
                return null;
            }
            // A copy: the caller must not be able to change what searches see.
            var vector = _matrix.AsSpan(row * _dimension, _dimension).ToArray();
            return new VectorPoint(modelId, vector, _payloads[row]);
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    /// <summary>Releases the lock and the pooled connections to the file.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        _database.Dispose();
        _lock.Dispose();
        _writeGate.Dispose();
    }

    private async Task EnsureLoadedAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_loaded)
        {
            return;
        }
        await _writeGate.WaitAsync(cancellationToken);
        try
        {
            if (_loaded)
            {
                return;
            }
            // Read everything first and install it only when all rows are valid, so a failed load
            // leaves the index empty and the next call retries.
            var rows = new List<(string Id, float[] Vector, VectorPayload Payload)>();
            await using (var connection = await _database.OpenAsync(cancellationToken))
            await using (var command = connection.CreateCommand())
            {
                command.CommandText = """
                    SELECT model_id, zoo_id, architecture, tags_json, parameters, alignment_version, dimension, vector
                    FROM vector_points ORDER BY model_id;
                    """;
                await using var reader = await command.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    var id = reader.GetString(0);
                    var tags = JsonSerializer.Deserialize<string[]>(reader.GetString(3))
                        ?? throw new InvalidDataException($"Vector point '{id}' has null tags in {_database.Path}.");
                    var payload = new VectorPayload(reader.GetString(1), reader.GetString(2), tags, reader.GetInt64(4), reader.GetString(5));
                    var vector = LittleEndianFloats.FromBytes(reader.GetFieldValue<byte[]>(7));
                    if (vector.Length != reader.GetInt32(6) || vector.Length == 0)
                    {
                        throw new InvalidDataException($"Vector point '{id}' in {_database.Path} has a BLOB of {vector.Length} floats, not {reader.GetInt32(6)}.");
                    }
                    if (rows.Count > 0 && vector.Length != rows[0].Vector.Length)
                    {
                        throw new InvalidDataException(
                            $"Vector points in {_database.Path} have mixed dimensions ({rows[0].Vector.Length} and {vector.Length}).");
                    }
                    rows.Add((id, vector, payload));
                }
            }

            _lock.EnterWriteLock();
            try
            {
                foreach (var (id, vector, payload) in rows)
                {
                    SetRow(id, vector, payload);
                }
            }
            finally
            {
                _lock.ExitWriteLock();
            }
            _loaded = true;
        }
        finally
        {
            _writeGate.Release();
        }
    }

    // Caller holds the write lock (and the write gate).
    private void SetRow(string modelId, float[] vector, VectorPayload payload)
    {
        if (_rows.TryGetValue(modelId, out var row))
        {
            vector.CopyTo(_matrix.AsSpan(row * _dimension, _dimension));
            _payloads[row] = payload;
            return;
        }
        if (_ids.Count == 0)
        {
            _dimension = vector.Length;
        }
        row = _ids.Count;
        var needed = (long)(row + 1) * _dimension;
        if (needed > _matrix.Length)
        {
            // Amortised growth, like List<T>: doubling keeps upserts O(1) on average.
            var rows = Math.Max(16, Math.Max(row + 1, _matrix.Length / _dimension * 2));
            Array.Resize(ref _matrix, checked(rows * _dimension));
        }
        vector.CopyTo(_matrix.AsSpan(row * _dimension, _dimension));
        _ids.Add(modelId);
        _payloads.Add(payload);
        _rows[modelId] = row;
    }

    // Caller holds the write lock (and the write gate). Moves the last row into the hole, so the
    // matrix stays dense and a scan never visits dead rows.
    private void RemoveRow(string modelId)
    {
        if (!_rows.Remove(modelId, out var row))
        {
            return;
        }
        var last = _ids.Count - 1;
        if (row != last)
        {
            _matrix.AsSpan(last * _dimension, _dimension).CopyTo(_matrix.AsSpan(row * _dimension, _dimension));
            _ids[row] = _ids[last];
            _payloads[row] = _payloads[last];
            _rows[_ids[row]] = row;
        }
        _ids.RemoveAt(last);
        _payloads.RemoveAt(last);
        if (_ids.Count == 0)
        {
            _dimension = 0;
            _matrix = [];
        }
    }

    private readonly record struct Ranked(float Score, string ModelId);

    /// <summary>Orders hits worst first: lower score, then (for equal scores) larger model id.</summary>
    private sealed class WorstFirst : IComparer<Ranked>
    {
        public static readonly WorstFirst Instance = new();

        public int Compare(Ranked x, Ranked y)
        {
            var byScore = x.Score.CompareTo(y.Score);
            return byScore != 0 ? byScore : string.CompareOrdinal(y.ModelId, x.ModelId);
        }
    }
}
