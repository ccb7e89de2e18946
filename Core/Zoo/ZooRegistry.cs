using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Know2Vec.Core.Catalog;
using Know2Vec.Core.Inference;
using Know2Vec.Core.Probing;
using Microsoft.Extensions.Options;

namespace Know2Vec.Core.Zoo;

/// <summary>What a successful registration stored.</summary>
/// <param name="Zoo">The zoo record.</param>
/// <param name="Models">Its models, all <see cref="ModelStatus.Pending"/>, in manifest order.</param>
public sealed record ZooRegistration(ZooRecord Zoo, IReadOnlyList<ModelRecord> Models);

/// <summary>A zoo with the same id (the slug of its manifest name) is already registered.</summary>
public sealed class ZooAlreadyExistsException(string zooId)
    : Exception($"A zoo with id '{zooId}' is already registered.")
{
    /// <summary>The id that is taken.</summary>
    public string ZooId { get; } = zooId;
}

/// <summary>
/// Turns a zoo manifest into catalog records: validates it (<see cref="ManifestValidator"/>),
/// derives the zoo id from the manifest name (<see cref="Slugify"/>) and stores the zoo with every
/// model <see cref="ModelStatus.Pending"/>, atomically. Indexing is the caller's next step.
/// </summary>
public sealed class ZooRegistry
{
    private static readonly JsonSerializerOptions CompactJson = new(ManifestValidator.JsonOptions)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private readonly ICatalog _catalog;
    private readonly TimeProvider _time;

    public ZooRegistry(ICatalog catalog, TimeProvider? timeProvider = null, IOptions<ProbingOptions>? probing = null)
    {
        _catalog = catalog;
        _time = timeProvider ?? TimeProvider.System;
        MaxInputValues = probing?.Value.MaxInputValues ?? ModelInputResolver.DefaultMaxInputValues;
    }

    /// <summary>Most input values per image a model may declare (Know2Vec:Probing:MaxInputValues).</summary>
    public long MaxInputValues { get; }

    /// <summary>Validates <paramref name="manifestJson"/> against <paramref name="zooRoot"/> and registers the zoo.</summary>
    /// <param name="manifestJson">The manifest text.</param>
    /// <param name="zooRoot">Directory the manifest's model files are relative to; every file must exist there.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <exception cref="ManifestValidationException">The manifest is invalid, or its name yields no usable id.</exception>
    /// <exception cref="ZooAlreadyExistsException">A zoo with the same id exists; nothing was changed.</exception>
    public async Task<ZooRegistration> RegisterAsync(string manifestJson, string zooRoot, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(manifestJson);
        ArgumentException.ThrowIfNullOrWhiteSpace(zooRoot);

        var manifest = ManifestValidator.Validate(manifestJson, zooRoot, maxInputValues: MaxInputValues);
        var registration = BuildRecords(manifest, Path.GetFullPath(zooRoot), _time.GetUtcNow());
        if (!await _catalog.TryAddZooAsync(registration.Zoo, registration.Models, cancellationToken))
        {
            throw new ZooAlreadyExistsException(registration.Zoo.Id);
        }
        return registration;
    }

    /// <summary>The zoo id of a validated manifest: the slug of its name.</summary>
    /// <exception cref="ManifestValidationException">The name has no letter or digit to build an id from.</exception>
    public static string ZooIdOf(ZooManifest manifest)
    {
        var id = Slugify(manifest.Name);
        if (!ZooRecord.IsValidId(id))
        {
            throw new ManifestValidationException([new ManifestProblem("/name", "needs at least one ASCII letter or digit to form the zoo id")]);
        }
        return id;
    }

    /// <summary>
    /// URL-safe slug of a name: accents dropped, ASCII letters and digits lowercased, every other run
    /// of characters one '-', no leading or trailing '-', at most 64 characters. "Fashion MNIST Zoo
    /// (v2)" → "fashion-mnist-zoo-v2". Empty when the name has no ASCII letter or digit.
    /// </summary>
    public static string Slugify(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var slug = new StringBuilder(Math.Min(name.Length, 64));
        var pendingDash = false;
        foreach (var ch in name.Normalize(NormalizationForm.FormD))
        {
            if (CharUnicodeInfo.GetUnicodeCategory(ch) == UnicodeCategory.NonSpacingMark)
            {
                continue; // "é" decomposes to "e" + a combining accent: keep the letter
            }
            var c = char.ToLowerInvariant(ch);
            if (c is (>= 'a' and <= 'z') or (>= '0' and <= '9'))
            {
                var dash = pendingDash && slug.Length > 0;
                if (slug.Length + (dash ? 2 : 1) > 64)
                {
                    break;
                }
                if (dash)
                {
                    slug.Append('-');
                }
                pendingDash = false;
                slug.Append(c);
            }
            else
            {
                pendingDash = true;
            }
        }
        return slug.ToString();
    }

    /// <summary>A model's weights counted from its file's ONNX initializers; 0 when the file cannot be read (indexing then marks it failed).</summary>
    private static long CountedParameters(string zooRoot, string file)
    {
        try
        {
            return ManifestValidator.ResolveUnderRoot(zooRoot, file) is { } path ? OnnxModelFile.Read(path).ParameterCount : 0;
        }
        catch (Exception e) when (e is InvalidDataException or IOException)
        {
            return 0;
        }
    }

    /// <summary>The catalog records for a validated manifest (exposed for tools that build catalogs offline).</summary>
    public static ZooRegistration BuildRecords(ZooManifest manifest, string zooRoot, DateTimeOffset now)
    {
        var zooId = ZooIdOf(manifest);
        var zoo = new ZooRecord(zooId, manifest.Name, manifest.Version, manifest.Description, zooRoot, now);
        var models = manifest.Models.Select(m => new ModelRecord
        {
            Id = ModelRecord.MakeId(zooId, m.Id),
            ZooId = zooId,
            Name = m.Id,
            File = m.File,
            Sha256 = m.Sha256,
            Architecture = m.Architecture,
            Parameters = m.Parameters ?? CountedParameters(zooRoot, m.File),
            Labels = m.Labels.ToArray(),
            Tags = m.Tags.ToArray(),
            License = m.License,
            InputJson = JsonSerializer.Serialize(m.Input, CompactJson),
            MetadataJson = MetadataJson(m),
            Status = ModelStatus.Pending,
            UpdatedAt = now,
        }).ToArray();
        return new ZooRegistration(zoo, models);
    }

    private static string? MetadataJson(ManifestModel model)
    {
        if (model.TrainedOn is null && model.Accuracy is null)
        {
            return null;
        }
        var metadata = new JsonObject();
        if (model.TrainedOn is { } trainedOn)
        {
            metadata["trainedOn"] = JsonNode.Parse(trainedOn.GetRawText());
        }
        if (model.Accuracy is { } accuracy)
        {
            metadata["accuracy"] = accuracy;
        }
        return metadata.ToJsonString();
    }
}
