using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Know2Vec.Hosting;

/// <summary>
/// One process per data directory: the process that uses the embedded stores (the SQLite catalog or
/// the SQLite job store under <see cref="Know2VecPaths.DataDirectory"/>) holds <see cref="FileName"/>
/// open exclusively for its lifetime. Two processes on one directory would each keep their own
/// in-memory vector index and answer with different, partial results; the second one refuses to start
/// instead, naming the holder. The operating system releases the lock when the holder exits in any way
/// (killed included: FileShare.None is flock on Unix, a share mode on Windows), so a stale lock never
/// needs cleaning. Who holds it (process id, host, start time) is written beside it, to
/// <see cref="HolderFileName"/>, because the locked file itself cannot be opened by anyone else.
/// Distributed mode (PostgreSQL catalog and job store) shares the data directory between the Api and
/// the workers on purpose and takes no lock.
/// </summary>
public sealed partial class DataDirectoryLock : IDisposable
{
    public const string FileName = "know2vec.lock";
    public const string HolderFileName = "know2vec.lock.json";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly FileStream _lock;
    private readonly string _holderFile;
    private int _disposed;

    /// <param name="paths">Where the data directory is.</param>
    /// <param name="logger">Says who took it, or who holds it.</param>
    /// <param name="lifetime">
    /// The host's lifetime, when there is one: the lock is released as soon as the host has stopped,
    /// not only when its services are disposed (which a host may do later, on another thread), so that
    /// a host started next in the same process finds it free.
    /// </param>
    public DataDirectoryLock(Know2VecPaths paths, ILogger<DataDirectoryLock> logger, IHostApplicationLifetime? lifetime = null)
    {
        ArgumentNullException.ThrowIfNull(paths);
        Directory.CreateDirectory(paths.DataDirectory);
        var lockFile = Path.Combine(paths.DataDirectory, FileName);
        _holderFile = Path.Combine(paths.DataDirectory, HolderFileName);
        try
        {
            _lock = new FileStream(lockFile, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, bufferSize: 1);
        }
        catch (IOException e) when (e.GetType() == typeof(IOException))
        {
            // Held by another process (or by another host in this one: the lock is per open file).
            var holder = ReadHolder(_holderFile);
            var exception = new DataDirectoryInUseException(paths.DataDirectory, holder, e);
            LogInUse(logger, paths.DataDirectory, holder?.ToString() ?? "an unknown process", FileName);
            throw exception;
        }

        using var self = Process.GetCurrentProcess();
        Holder = new DataDirectoryHolder(Environment.ProcessId, Environment.MachineName, new DateTimeOffset(self.StartTime.ToUniversalTime(), TimeSpan.Zero));
        File.WriteAllText(_holderFile, JsonSerializer.Serialize(Holder, Json));
        LogTaken(logger, paths.DataDirectory, Holder.ProcessId);
        lifetime?.ApplicationStopped.Register(Dispose);
    }

    /// <summary>This process, as the holder of the data directory.</summary>
    public DataDirectoryHolder Holder { get; }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }
        // Still holding the lock: nobody else has written the holder file meanwhile.
        try
        {
            File.Delete(_holderFile);
        }
        catch (IOException)
        {
            // Only informative; the next holder overwrites it.
        }
        catch (UnauthorizedAccessException)
        {
        }
        _lock.Dispose();
    }

    private static DataDirectoryHolder? ReadHolder(string holderFile)
    {
        try
        {
            return JsonSerializer.Deserialize<DataDirectoryHolder>(File.ReadAllText(holderFile), Json);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            return null; // the holder is starting and has not written it yet, or it was removed
        }
    }

    [LoggerMessage(Level = LogLevel.Critical, Message = "Cannot start: the data directory {DataDirectory} is in use by {Holder} ({LockFile} there is locked). "
        + "Stop that process, or give this one another Know2Vec:DataDirectory")]
    private static partial void LogInUse(ILogger logger, string dataDirectory, string holder, string lockFile);

    [LoggerMessage(Level = LogLevel.Information, Message = "Data directory {DataDirectory} is locked by this process ({ProcessId})")]
    private static partial void LogTaken(ILogger logger, string dataDirectory, int processId);
}

/// <summary>Who holds a data directory.</summary>
public sealed record DataDirectoryHolder(int ProcessId, string Host, DateTimeOffset Started)
{
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"process {ProcessId} on host {Host}, started {Started:yyyy-MM-dd HH:mm:ss}Z");
}

/// <summary>Another process holds the data directory (<see cref="DataDirectoryLock"/>).</summary>
public sealed class DataDirectoryInUseException(string dataDirectory, DataDirectoryHolder? holder, Exception? inner = null)
    : Exception(
        $"The data directory {dataDirectory} is in use by {holder?.ToString() ?? "another process (which did not say which; it may be starting)"}. "
        + $"Only one Know2Vec process may use an embedded data directory ({DataDirectoryLock.FileName} there is locked). "
        + "Stop that process, or give this one another Know2Vec:DataDirectory.",
        inner)
{
    public string DataDirectory { get; } = dataDirectory;

    public DataDirectoryHolder? Holder { get; } = holder;
}
