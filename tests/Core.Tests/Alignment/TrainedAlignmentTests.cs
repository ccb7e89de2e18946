using System.Text.Json;
using Know2Vec.Core.Alignment;
using Know2Vec.Core.Inference;
using Know2Vec.Core.Knowledge;
using Know2Vec.Evaluation.Benchmark;
using Microsoft.Extensions.Options;

namespace Know2Vec.Core.Tests.Alignment;

/// <summary>
/// The committed alignment (tools/align-trainer output) served by ONNX Runtime must compute what
/// PyTorch computed: parity.json holds fixed inputs and PyTorch's outputs for both towers.
/// </summary>
public sealed class TrainedAlignmentTests
{
    private static readonly string Directory = Path.Combine(BenchmarkData.FindZooManifestsDirectory(), "alignment", "know2vec-v1");

    [Fact]
    public void Onnx_towers_match_the_pytorch_outputs_of_the_parity_file()
    {
        Assert.True(TrainedAlignment.Exists(Directory), $"no alignment in {Directory}");
        using var alignment = TrainedAlignment.Load(Directory, new OnnxSessionFactory(Options.Create(new InferenceOptions { Device = InferenceDevice.Cpu })));
        using var parity = JsonDocument.Parse(File.ReadAllText(Path.Combine(Directory, "parity.json")));
        var tolerance = parity.RootElement.GetProperty("tolerance").GetDouble();
        Assert.True(tolerance <= 1e-4);
        var cases = parity.RootElement.GetProperty("cases").EnumerateArray().ToList();
        Assert.Contains(cases, c => c.GetProperty("tower").GetString() == "model");
        Assert.Contains(cases, c => c.GetProperty("tower").GetString() == "query");
        foreach (var c in cases)
        {
            var input = c.GetProperty("input").EnumerateArray().SelectMany(r => r.EnumerateArray().Select(v => v.GetSingle())).ToArray();
            var expected = c.GetProperty("output").EnumerateArray().Select(v => v.GetSingle()).ToArray();
            var actual = c.GetProperty("tower").GetString() == "model" ? alignment.RunModelTower(input) : alignment.RunQueryTower(input);
            Assert.Equal(expected.Length, actual.Length);
            Assert.Equal(0, actual.Length % alignment.Dimension);
            for (var i = 0; i < expected.Length; i++)
            {
                Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance, $"{c.GetProperty("tower")} output {i}: {actual[i]} vs {expected[i]}");
            }
        }
    }

    [Fact]
    public void Model_tower_input_is_node_and_mean_boundaries_over_reached_classes()
    {
        // 3 classes, D = 2, class 1 unreached: only classes 0 and 2 enter, each with its one partner.
        var data = new float[3 * 3 * 2];
        void Set(int i, int j, float a, float b) => (data[((i * 3) + j) * 2], data[(((i * 3) + j) * 2) + 1]) = (a, b);
        Set(0, 0, 1, 2);
        Set(2, 2, 3, 4);
        Set(0, 2, 5, 6);
        Set(2, 0, 7, 8);
        Set(0, 1, 100, 100); // boundaries with an unreached class are ignored
        var knowledge = new KnowledgeTensor(3, 2, data, [true, false, true], "v1");

        var input = TrainedAlignment.ModelTowerInput(knowledge);

        Assert.Equal([1f, 2, 5, 6, 7, 8, 3, 4, 7, 8, 5, 6], input);
    }

    [Fact]
    public void Query_tower_input_is_the_class_prototypes()
    {
        var input = TrainedAlignment.QueryTowerInput(
            [new QueryClass("a", [[1f, 2], [3f, 4]]), new QueryClass("b", [[5f, 6]])], 2);

        Assert.Equal([2f, 3, 5, 6], input);
    }
}
