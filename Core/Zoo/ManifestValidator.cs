using System.Reflection;
using System.Text.Json;
using Json.Schema;
using Know2Vec.Core.Inference;

namespace Know2Vec.Core.Zoo;

/// <summary>
/// Validates a zoo manifest in three steps, collecting every problem it finds: well-formed JSON,
/// the JSON Schema shipped in zoo-manifests/manifest.schema.json (embedded in this assembly, so the
/// service and the zoo builder share one definition), then the rules a schema cannot express
/// (unique ids, files inside the zoo root and present, an input shape we can feed).
/// </summary>
public static class ManifestValidator
{
    public static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);

    // The schema has an $id: build it once, since the library registers schemas globally by id.
    private static readonly Lazy<JsonSchema> Schema = new(LoadSchema);

    /// <summary>The schema text, e.g. for documentation endpoints.</summary>
    public static string SchemaText { get; } = ReadSchemaText();

    /// <summary>
    /// Parses and validates <paramref name="json"/>. Model files are resolved against
    /// <paramref name="zooRoot"/>; with <paramref name="requireFiles"/> each must exist there, and each
    /// file's declared input (shape, layout, size) and parameter count must agree with what the file
    /// itself says (read from its ONNX graph, without running it).
    /// </summary>
    /// <param name="json">The manifest text.</param>
    /// <param name="zooRoot">The folder model files are relative to.</param>
    /// <param name="requireFiles">Every file must exist (and is checked against its declaration).</param>
    /// <param name="verifyHashes">Also check every file's sha256 (uploads: the bytes just arrived).</param>
    /// <param name="maxInputValues">Most input values per image (C·H·W) a model may declare.</param>
    /// <exception cref="ManifestValidationException">Every problem found, with its JSON location.</exception>
    public static ZooManifest Validate(
        string json, string zooRoot, bool requireFiles = true, bool verifyHashes = false, long maxInputValues = ModelInputResolver.DefaultMaxInputValues)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 32 });
        }
        catch (JsonException e)
        {
            throw Fail("", $"malformed JSON at line {(e.LineNumber ?? 0) + 1}, position {(e.BytePositionInLine ?? 0) + 1}");
        }

        using (document)
        {
            var problems = SchemaProblems(document.RootElement);
            if (problems.Count > 0)
            {
                throw new ManifestValidationException(problems);
            }

            var manifest = document.RootElement.Deserialize<ZooManifest>(JsonOptions)
                ?? throw Fail("", "manifest is empty");
            problems.AddRange(RuleProblems(manifest, zooRoot, requireFiles, verifyHashes, maxInputValues));
            if (problems.Count > 0)
            {
                throw new ManifestValidationException(problems);
            }

            return manifest;
        }
    }

    /// <summary>
    /// The absolute path of <paramref name="relativeFile"/> under <paramref name="zooRoot"/>, or null
    /// when it would escape the root: absolute paths, backslashes, "..", and symbolic links (in the
    /// path or the file itself) whose target lies outside the root.
    /// </summary>
    public static string? ResolveUnderRoot(string zooRoot, string relativeFile)
    {
        if (Path.IsPathRooted(relativeFile) || relativeFile.Contains('\\'))
        {
            return null;
        }

        var root = WithSeparator(Path.GetFullPath(zooRoot));
        var full = Path.GetFullPath(Path.Combine(root, relativeFile));
        if (!full.StartsWith(root, StringComparison.Ordinal))
        {
            return null;
        }

        // A link inside the root may point anywhere: check where every existing link leads.
        var realRoot = WithSeparator(RealPath(root));
        return RealPath(full).StartsWith(realRoot, StringComparison.Ordinal) ? full : null;
    }

    private static string WithSeparator(string path) =>
        Path.EndsInDirectorySeparator(path) ? path : path + Path.DirectorySeparatorChar;

    /// <summary>The path with every symbolic link along it resolved (parts that do not exist are kept as written).</summary>
    private static string RealPath(string path)
    {
        var full = Path.GetFullPath(path);
        var root = Path.GetPathRoot(full)!;
        var current = root;
        foreach (var part in full[root.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries))
        {
            current = Path.Combine(current, part);
            FileSystemInfo info = Directory.Exists(current) ? new DirectoryInfo(current) : new FileInfo(current);
            if (info.Exists && info.LinkTarget is not null)
            {
                current = info.ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? current;
            }
        }

        return current;
    }

    private static List<ManifestProblem> SchemaProblems(JsonElement root)
    {
        var results = Schema.Value.Evaluate(root, new EvaluationOptions { OutputFormat = OutputFormat.List });
        var problems = new List<ManifestProblem>();
        if (results.IsValid)
        {
            return problems;
        }

        foreach (var detail in results.Details ?? [])
        {
            foreach (var (keyword, message) in detail.Errors ?? new Dictionary<string, string>())
            {
                problems.Add(new ManifestProblem(detail.InstanceLocation.ToString(), $"{message} ({keyword})"));
            }
        }

        if (problems.Count == 0)
        {
            problems.Add(new ManifestProblem("", "does not match the manifest schema"));
        }

        return problems.Distinct().ToList();
    }

    private static IEnumerable<ManifestProblem> RuleProblems(ZooManifest manifest, string zooRoot, bool requireFiles, bool verifyHashes, long maxInputValues)
    {
        var firstIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < manifest.Models.Count; i++)
        {
            var model = manifest.Models[i];
            var at = $"/models/{i}";
            if (!firstIndex.TryAdd(model.Id, i))
            {
                yield return new ManifestProblem($"{at}/id", $"duplicate model id '{model.Id}' (first at /models/{firstIndex[model.Id]})");
            }

            var path = ResolveUnderRoot(zooRoot, model.File);
            if (path is null)
            {
                yield return new ManifestProblem($"{at}/file", $"'{model.File}' escapes the zoo root");
            }
            else if (requireFiles && !File.Exists(path))
            {
                yield return new ManifestProblem($"{at}/file", $"'{model.File}' not found under the zoo root");
            }
            else if (requireFiles)
            {
                foreach (var problem in FileProblems(model, path, at, verifyHashes, maxInputValues))
                {
                    yield return problem;
                }
            }

            var shapeProblem = InputShapeProblem(model.Input);
            if (shapeProblem is not null)
            {
                yield return new ManifestProblem($"{at}/input", shapeProblem);
            }
        }
    }

    /// <summary>
    /// What the file contradicts in its declaration: its sha256 (when asked), its parameter count (more
    /// than 1 % off) and its input (rank, fixed dimensions, size). A file that is not readable ONNX, or
    /// has an input the service cannot feed at all, is left to indexing, which marks that model failed.
    /// </summary>
    private static List<ManifestProblem> FileProblems(ManifestModel model, string path, string at, bool verifyHashes, long maxInputValues)
    {
        var problems = new List<ManifestProblem>();
        if (verifyHashes && Sha256Of(path) is var actual && !string.Equals(actual, model.Sha256, StringComparison.OrdinalIgnoreCase))
        {
            problems.Add(new ManifestProblem($"{at}/sha256", $"model '{model.Id}': the file '{model.File}' has sha256 {actual}; the manifest declares {model.Sha256}"));
        }

        OnnxModelFile file;
        try
        {
            file = OnnxModelFile.Read(path);
        }
        catch (Exception e) when (e is InvalidDataException or IOException)
        {
            return problems;
        }

        if (model.Parameters is { } declared && Math.Abs(declared - file.ParameterCount) > 0.01 * file.ParameterCount)
        {
            problems.Add(new ManifestProblem($"{at}/parameters",
                $"model '{model.Id}': declares {declared} parameters; the file's weights (ONNX initializers) hold {file.ParameterCount}, more than 1 % apart. Leave 'parameters' out to have them counted."));
        }

        if (file.Inputs is [{ IsFloatTensor: true } input])
        {
            try
            {
                var spec = ModelInputResolver.Resolve(input.Name, input.Dimensions, input.SymbolicNames, model.Input, maxInputValues);
                var declaredInput = model.Input;
                if (declaredInput.Channels is { } order && (order == "gray") != (spec.Channels == 1))
                {
                    problems.Add(new ManifestProblem($"{at}/input/channels", $"model '{model.Id}': declares channels '{order}'; the file's input '{input.Name}' has {spec.Channels} channel(s)."));
                }

                foreach (var (name, values) in new[] { ("mean", declaredInput.Mean), ("std", declaredInput.Std) })
                {
                    if (values is not null && values.Count != spec.Channels)
                    {
                        problems.Add(new ManifestProblem($"{at}/input/{name}", $"model '{model.Id}': {name} gives {values.Count} value(s); the file's input '{input.Name}' has {spec.Channels} channel(s)."));
                    }
                }
            }
            catch (ModelInputNotSupportedException e)
            {
                problems.Add(new ManifestProblem($"{at}/input/shape", $"model '{model.Id}': {e.Message}"));
            }
        }

        return problems;
    }

    /// <summary>The lowercase hex sha256 of a file.</summary>
    public static string Sha256Of(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(stream));
    }

    /// <summary>Whether a declared input can be fed from a grey image; null when it can.</summary>
    private static string? InputShapeProblem(ManifestInput input)
    {
        var (min, max) = input.ValueRange;
        if (!(max > min))
        {
            return $"range [{min}, {max}] is empty: max must exceed min";
        }

        var shape = input.Shape;
        return shape.Count switch
        {
            3 when input.Layout == "NHWC" && shape[2] is not (1 or 3) => $"shape [{string.Join(", ", shape)}]: NHWC needs 1 or 3 channels last",
            3 when input.Layout != "NHWC" && shape[0] is not (1 or 3) => $"shape [{string.Join(", ", shape)}]: needs 1 or 3 channels first (channels, height, width)",
            _ => null,
        };
    }

    private static ManifestValidationException Fail(string location, string message) =>
        new([new ManifestProblem(location, message)]);

    private static JsonSchema LoadSchema() => JsonSchema.FromText(SchemaText);

    private static string ReadSchemaText()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("manifest.schema.json")
            ?? throw new InvalidOperationException("manifest.schema.json is not embedded in Know2Vec.Core");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
