namespace Know2Vec.Core.Catalog;

/// <summary>One model of a zoo, as registered from its manifest entry plus its indexing state.</summary>
/// <remarks>
/// Record equality compares the list and JSON members by reference/text; compare fields when
/// checking a round trip. Stores keep JSON members semantically, not byte for byte (a PostgreSQL
/// jsonb column re-formats them).
/// </remarks>
public sealed record ModelRecord
{
    /// <summary>Catalog id: "{zooId}:{manifestModelId}" (see <see cref="MakeId"/>). Deterministic, so re-registering or re-running a job never needs a read first.</summary>
    public required string Id { get; init; }

    /// <summary>Id of the zoo the model belongs to.</summary>
    public required string ZooId { get; init; }

    /// <summary>The manifest's model id, unique within its zoo.</summary>
    public required string Name { get; init; }

    /// <summary>Path of the ONNX file, relative to the zoo's <see cref="ZooRecord.RootDirectory"/>.</summary>
    public required string File { get; init; }

    /// <summary>Hex SHA-256 of the ONNX file, from the manifest.</summary>
    public required string Sha256 { get; init; }

    /// <summary>Architecture name (exact, case-sensitive in filters).</summary>
    public required string Architecture { get; init; }

    /// <summary>Number of parameters (the "model size" baseline and the MaxParameters filter).</summary>
    public required long Parameters { get; init; }

    /// <summary>Class labels in the model's output order.</summary>
    public required IReadOnlyList<string> Labels { get; init; }

    /// <summary>Free-form tags (exact, case-sensitive in filters).</summary>
    public required IReadOnlyList<string> Tags { get; init; }

    /// <summary>License identifier from the manifest.</summary>
    public required string License { get; init; }

    /// <summary>The manifest's <c>input</c> object, as JSON.</summary>
    public required string InputJson { get; init; }

    /// <summary>The manifest entry's optional fields (e.g. trainedOn, accuracy) as a JSON object, or null.</summary>
    public string? MetadataJson { get; init; }

    /// <summary>Indexing state.</summary>
    public ModelStatus Status { get; init; } = ModelStatus.Pending;

    /// <summary>Why indexing failed; set only with <see cref="ModelStatus.Failed"/>.</summary>
    public string? FailureReason { get; init; }

    /// <summary>When the record or its status last changed.</summary>
    public required DateTimeOffset UpdatedAt { get; init; }

    /// <summary>The catalog id of model <paramref name="manifestModelId"/> of zoo <paramref name="zooId"/>.</summary>
    public static string MakeId(string zooId, string manifestModelId) => $"{zooId}:{manifestModelId}";
}
