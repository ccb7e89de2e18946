using System.Text;
using Know2Vec.Api.Hosting;
using Know2Vec.Core.Catalog;
using Know2Vec.Core.Zoo;
using Know2Vec.Hosting;
using Microsoft.Extensions.Options;

namespace Know2Vec.Api.Features.Zoos;

/// <summary>A part of an upload that cannot be accepted; <see cref="Field"/> names the form field.</summary>
internal sealed class UploadRejectedException(string field, string message) : Exception(message)
{
    public string Field { get; } = field;
}

/// <summary>The manifest is larger than Know2Vec:Limits:MaxManifestBytes.</summary>
internal sealed class ManifestTooLargeException() : Exception("The manifest is too large.");

/// <summary>
/// Registers a zoo uploaded as multipart: the manifest plus its .onnx files. Files are written to a
/// private staging folder, the manifest is validated against that folder (so every file it names
/// must have been sent, and no name may escape it), and only then is the folder moved to a folder
/// of its own, DataDirectory/zoos/{zooId}-{unique}, and the zoo catalogued. A failure at any step
/// leaves nothing behind; a crash in between leaves a folder no zoo refers to, removed at start.
/// </summary>
internal sealed class ZooUploads(ZooRegistry registry, ICatalog catalog, Know2VecPaths paths, IOptions<ApiOptions> options)
{
    public const string ManifestField = "manifest";
    public const string FilesField = "files";

    // Serialises "is the id free? move the folder, catalog it" within this process.
    private readonly SemaphoreSlim _gate = new(1, 1);

    public async Task<ZooRegistration> RegisterAsync(IFormCollection form, CancellationToken cancellationToken)
    {
        var json = await ReadManifestAsync(form, cancellationToken);
        var staging = Path.Combine(paths.Staging, Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(staging);
        try
        {
            var uploaded = await SaveFilesAsync(form, staging, cancellationToken);
            // Every file the manifest names must be among the uploads, and each must be the file its sha256 names.
            var manifest = ManifestValidator.Validate(json, staging, verifyHashes: true, maxInputValues: registry.MaxInputValues);
            var referenced = manifest.Models
                .Select(m => ManifestValidator.ResolveUnderRoot(staging, m.File))
                .ToHashSet(StringComparer.Ordinal);
            var extra = uploaded.Where(u => !referenced.Contains(u.Value)).Select(u => u.Key).ToArray();
            if (extra.Length > 0)
            {
                throw new UploadRejectedException(FilesField, $"Not named by any manifest entry's \"file\": {string.Join(", ", extra.Select(e => $"'{e}'"))}.");
            }

            var zooId = ZooRegistry.ZooIdOf(manifest);
            await _gate.WaitAsync(cancellationToken);
            try
            {
                if (await catalog.GetZooAsync(zooId, cancellationToken) is not null)
                {
                    throw new ZooAlreadyExistsException(zooId);
                }
                // A new, unique folder: never shared with an earlier upload of the same id, so deleting one
                // zoo cannot touch a re-upload's files.
                var target = Path.Combine(paths.UploadedZoos, $"{zooId}-{Guid.NewGuid():N}");
                Directory.CreateDirectory(paths.UploadedZoos);
                Directory.Move(staging, target);
                try
                {
                    return await registry.RegisterAsync(json, target, cancellationToken);
                }
                catch
                {
                    TryDelete(target);
                    throw;
                }
            }
            finally
            {
                _gate.Release();
            }
        }
        finally
        {
            TryDelete(staging);
        }
    }

    private async Task<string> ReadManifestAsync(IFormCollection form, CancellationToken cancellationToken)
    {
        var limit = options.Value.Limits.MaxManifestBytes;
        if (form.Files.GetFile(ManifestField) is { } file)
        {
            if (file.Length > limit)
            {
                throw new ManifestTooLargeException();
            }
            using var reader = new StreamReader(file.OpenReadStream(), Encoding.UTF8);
            return await reader.ReadToEndAsync(cancellationToken);
        }

        var values = form[ManifestField];
        if (values.Count != 1 || string.IsNullOrWhiteSpace(values[0]))
        {
            throw new UploadRejectedException(ManifestField, "Send the zoo manifest (JSON) once, as a form field or a file named 'manifest'.");
        }
        if (Encoding.UTF8.GetByteCount(values[0]!) > limit)
        {
            throw new ManifestTooLargeException();
        }
        return values[0]!;
    }

    /// <summary>Writes every uploaded file under <paramref name="staging"/>; returns upload name → full path.</summary>
    private static async Task<Dictionary<string, string>> SaveFilesAsync(IFormCollection form, string staging, CancellationToken cancellationToken)
    {
        var saved = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var file in form.Files)
        {
            if (file.Name == ManifestField)
            {
                continue;
            }
            var name = file.FileName;
            // The same rule as the manifest's "file": relative, forward slashes, inside the zoo.
            var path = name.EndsWith(".onnx", StringComparison.Ordinal) ? ManifestValidator.ResolveUnderRoot(staging, name) : null;
            if (path is null)
            {
                throw new UploadRejectedException(FilesField, $"'{name}' is not a relative .onnx path inside the zoo (no absolute paths, '..' or backslashes).");
            }
            if (!saved.TryAdd(name, path) || saved.Values.Count(p => p == path) > 1)
            {
                throw new UploadRejectedException(FilesField, $"'{name}' was sent more than once.");
            }
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            await using var target = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, useAsync: true);
            await file.CopyToAsync(target, cancellationToken);
        }
        return saved;
    }

    private static void TryDelete(string directory)
    {
        try
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
        catch (IOException)
        {
            // Best effort: a leftover folder is harmless and is replaced by the next upload of that id.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
