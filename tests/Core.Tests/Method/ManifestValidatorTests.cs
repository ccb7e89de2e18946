using System.Text.Json.Nodes;
using Know2Vec.Core.Zoo;
using Know2Vec.Evaluation.Benchmark;

namespace Know2Vec.Core.Tests.Method;

/// <summary>
/// The manifest validator against the committed demo manifest and variants of it: each variant
/// breaks one rule, and the problem must name the JSON location an operator has to fix.
/// </summary>
public sealed class ManifestValidatorTests
{
    private static readonly string ZooManifests = BenchmarkData.FindZooManifestsDirectory();
    private static readonly string DemoText = File.ReadAllText(Path.Combine(ZooManifests, "demo.json"));

    [Fact]
    public void Demo_manifest_is_valid_with_its_files_present()
    {
        var manifest = ManifestValidator.Validate(DemoText, ZooManifests);

        Assert.Equal("demo", manifest.Name);
        Assert.True(manifest.Models.Count >= 2);
        Assert.All(manifest.Models, m => Assert.True(File.Exists(ManifestValidator.ResolveUnderRoot(ZooManifests, m.File))));
        var first = manifest.Models[0];
        Assert.Equal(64, first.Sha256.Length);
        Assert.Equal(first.Labels.Count, first.Labels.Distinct().Count());
        Assert.Equal((0f, 1f), first.Input.ValueRange);
    }

    [Fact]
    public void Malformed_json_is_one_problem_with_its_line_and_position()
    {
        const string json = "{\n  \"name\": \"x\",\n  \"version\": \n}";

        var problem = Assert.Single(Refused(json));

        Assert.Equal("", problem.Location);
        Assert.Contains("malformed JSON", problem.Message);
        Assert.Contains("line 4, position 1", problem.Message); // the '}' where a value was expected
    }

    [Theory]
    [InlineData("{ \"name\": \"x\", }")]
    [InlineData("{ \"name\": \"x\"")]
    [InlineData("")]
    public void Other_malformed_json_is_refused_with_a_position(string json)
    {
        var problem = Assert.Single(Refused(json));
        Assert.Matches(@"malformed JSON at line \d+, position \d+", problem.Message);
    }

    [Fact]
    public void Missing_sha256_names_the_model_and_the_field()
    {
        var problem = Assert.Single(Refused(Demo(m => m["models"]![0]!.AsObject().Remove("sha256"))));

        Assert.Equal("/models/0", problem.Location);
        Assert.Contains("sha256", problem.Message);
        Assert.Contains("required", problem.Message);
    }

    [Theory]
    [InlineData("-starts-with-dash")]
    [InlineData("has space")]
    [InlineData("colon:inside")]
    [InlineData("")]
    public void Bad_model_id_is_located_at_the_id(string id)
    {
        var problems = Refused(Demo(m => m["models"]![1]!["id"] = id));

        Assert.Contains(problems, p => p.Location == "/models/1/id");
        Assert.All(problems, p => Assert.Equal("/models/1/id", p.Location));
    }

    [Fact]
    public void Negative_parameters_are_located_at_the_field()
    {
        var problem = Assert.Single(Refused(Demo(m => m["models"]![0]!["parameters"] = -1)));

        Assert.Equal("/models/0/parameters", problem.Location);
        Assert.Contains("minimum", problem.Message);
    }

    [Fact]
    public void Sha256_that_is_not_lowercase_hex_is_refused()
    {
        var problem = Assert.Single(Refused(Demo(m => m["models"]![0]!["sha256"] = new string('A', 64))));
        Assert.Equal("/models/0/sha256", problem.Location);
    }

    [Theory]
    [InlineData(true, "/models/0/colour")]
    [InlineData(false, "/colour")]
    public void Unknown_property_is_located_where_it_was_added(bool onModel, string location)
    {
        var problem = Assert.Single(Refused(Demo(m =>
        {
            var target = onModel ? m["models"]![0]!.AsObject() : m;
            target["colour"] = "red";
        })));

        Assert.Equal(location, problem.Location);
    }

    [Fact]
    public void Several_schema_problems_are_all_reported()
    {
        var problems = Refused(Demo(m =>
        {
            m["models"]![0]!["parameters"] = -5;
            m["models"]![2]!.AsObject().Remove("license");
        }));

        Assert.Contains(problems, p => p.Location == "/models/0/parameters");
        Assert.Contains(problems, p => p.Location == "/models/2" && p.Message.Contains("license"));
    }

    [Fact]
    public void Duplicate_id_is_reported_at_the_second_occurrence()
    {
        var problems = Refused(Demo(m => m["models"]![3]!["id"] = m["models"]![1]!["id"]!.GetValue<string>()));

        var problem = Assert.Single(problems);
        Assert.Equal("/models/3/id", problem.Location);
        Assert.Contains("duplicate", problem.Message);
        Assert.Contains("/models/1", problem.Message);
    }

    [Theory]
    [InlineData("../x.onnx")]
    [InlineData("benchmark/../../x.onnx")]
    [InlineData("benchmark\\models\\x.onnx")]
    [InlineData("/etc/x.onnx")]
    [InlineData("\\\\server\\share\\x.onnx")]
    public void File_escaping_the_root_is_located_at_the_file(string file)
    {
        // Absolute paths fail the schema's pattern, the others the root check; same location either way.
        var problems = Refused(Demo(m => m["models"]![2]!["file"] = file), requireFiles: false);

        Assert.NotEmpty(problems);
        Assert.All(problems, p => Assert.Equal("/models/2/file", p.Location));
    }

    [Fact]
    public void Missing_file_is_refused_only_when_files_are_required()
    {
        var json = Demo(m => m["models"]![1]!["file"] = "benchmark/models/not-there.onnx");

        var problem = Assert.Single(Refused(json));
        Assert.Equal("/models/1/file", problem.Location);
        Assert.Contains("not found", problem.Message);

        var manifest = ManifestValidator.Validate(json, ZooManifests, requireFiles: false);
        Assert.Equal("benchmark/models/not-there.onnx", manifest.Models[1].File);
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(1, 0)]
    [InlineData(-1, -2)]
    public void Empty_value_range_is_refused_at_the_input(float min, float max)
    {
        var problem = Assert.Single(Refused(Demo(m => m["models"]![0]!["input"]!["range"] = new JsonArray(min, max))));

        Assert.Equal("/models/0/input", problem.Location);
        Assert.Contains("empty", problem.Message);
    }

    [Theory]
    [InlineData("NHWC", new[] { 28, 28, 1 }, true)]
    [InlineData("NHWC", new[] { 28, 28, 3 }, true)]
    [InlineData("NHWC", new[] { 28, 28, 2 }, false)]
    [InlineData("NHWC", new[] { 1, 28, 28 }, false)]
    [InlineData("NCHW", new[] { 1, 28, 28 }, true)]
    [InlineData("NCHW", new[] { 3, 28, 28 }, true)]
    [InlineData("NCHW", new[] { 28, 28, 1 }, false)]
    [InlineData("NCHW", new[] { 2, 28, 28 }, false)]
    [InlineData(null, new[] { 1, 28, 28 }, true)]
    [InlineData(null, new[] { 28, 28, 3 }, false)]
    [InlineData("flat", new[] { 784 }, true)]
    [InlineData(null, new[] { 28, 28 }, true)]
    public void Channel_axis_must_hold_one_or_three_channels(string? layout, int[] shape, bool valid)
    {
        var json = Demo(m =>
        {
            var input = m["models"]![0]!["input"]!.AsObject();
            input["shape"] = new JsonArray(shape.Select(d => (JsonNode?)d).ToArray());
            if (layout is null)
            {
                input.Remove("layout");
            }
            else
            {
                input["layout"] = layout;
            }
        });

        // The declaration's own rules: no file is consulted (the file's checks are below).
        if (valid)
        {
            Assert.Equal(shape, ManifestValidator.Validate(json, ZooManifests, requireFiles: false).Models[0].Input.Shape);
        }
        else
        {
            var problem = Assert.Single(Refused(json, requireFiles: false));
            Assert.Equal("/models/0/input", problem.Location);
            Assert.Contains("channels", problem.Message);
        }
    }

    [Fact]
    public void Rule_problems_of_several_models_are_all_reported()
    {
        var problems = Refused(Demo(m =>
        {
            m["models"]![1]!["file"] = "../up.onnx";
            m["models"]![2]!["input"]!["range"] = new JsonArray(0, 0);
            m["models"]![4]!["id"] = m["models"]![0]!["id"]!.GetValue<string>();
        }));

        Assert.Equal(["/models/1/file", "/models/2/input", "/models/4/id"], problems.Select(p => p.Location).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Exception_message_lists_every_problem()
    {
        var e = Assert.Throws<ManifestValidationException>(() => ManifestValidator.Validate(
            Demo(m => m["models"]![0]!["parameters"] = -1), ZooManifests));

        Assert.Contains("/models/0/parameters", e.Message);
    }

    [Fact]
    public void Schema_text_is_the_committed_schema()
    {
        Assert.Equal(File.ReadAllText(Path.Combine(ZooManifests, "manifest.schema.json")).Trim(), ManifestValidator.SchemaText.Trim());
    }

    [Theory]
    [InlineData("a.onnx", "a.onnx")]
    [InlineData("models/a.onnx", "models/a.onnx")]
    [InlineData("models/../a.onnx", "a.onnx")]
    [InlineData("./models/./a.onnx", "models/a.onnx")]
    public void ResolveUnderRoot_keeps_paths_inside_the_root(string relative, string expected)
    {
        using var root = new TempDirectory();

        Assert.Equal(Path.Combine(root.Path, expected), ManifestValidator.ResolveUnderRoot(root.Path, relative));
        // A trailing separator on the root changes nothing.
        Assert.Equal(Path.Combine(root.Path, expected), ManifestValidator.ResolveUnderRoot(root.Path + "/", relative));
    }

    [Theory]
    [InlineData("../a.onnx")]
    [InlineData("models/../../a.onnx")]
    [InlineData("/etc/passwd")]
    [InlineData("models\\a.onnx")]
    [InlineData("..\\a.onnx")]
    [InlineData("..")]
    public void ResolveUnderRoot_refuses_escapes(string relative)
    {
        using var root = new TempDirectory();
        Assert.Null(ManifestValidator.ResolveUnderRoot(root.Path, relative));
    }

    [Fact]
    public void ResolveUnderRoot_refuses_a_sibling_that_shares_the_root_prefix()
    {
        using var parent = new TempDirectory();
        var root = Path.Combine(parent.Path, "zoo");

        // "/x/zoo2/a.onnx" starts with "/x/zoo" but is not under "/x/zoo/".
        Assert.Null(ManifestValidator.ResolveUnderRoot(root, "../zoo2/a.onnx"));
    }

    [Fact]
    public void ResolveUnderRoot_is_relative_to_a_relative_root_as_the_current_directory_sees_it()
    {
        Assert.Equal(Path.GetFullPath(Path.Combine("some-zoo", "a.onnx")), ManifestValidator.ResolveUnderRoot("some-zoo", "a.onnx"));
    }

    [Fact]
    public void ResolveUnderRoot_accepts_files_under_the_file_system_root()
    {
        Assert.Equal("/a/x.onnx", ManifestValidator.ResolveUnderRoot("/", "a/x.onnx"));
    }

    [Fact]
    public void ResolveUnderRoot_refuses_a_link_that_leads_out_of_the_root()
    {
        using var outside = new TempDirectory();
        using var root = new TempDirectory();
        File.WriteAllText(outside.File("secret.onnx"), "x");
        File.CreateSymbolicLink(root.File("link.onnx"), outside.File("secret.onnx"));

        Assert.Null(ManifestValidator.ResolveUnderRoot(root.Path, "link.onnx"));
    }

    private static string Demo(Action<JsonObject> edit)
    {
        var node = JsonNode.Parse(DemoText)!.AsObject();
        edit(node);
        return node.ToJsonString();
    }

    private static IReadOnlyList<ManifestProblem> Refused(string json, bool requireFiles = true) =>
        Assert.Throws<ManifestValidationException>(() => ManifestValidator.Validate(json, ZooManifests, requireFiles)).Problems;
}
