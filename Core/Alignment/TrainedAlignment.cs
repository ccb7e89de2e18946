using System.Numerics.Tensors;
using System.Text.Json;
using Know2Vec.Core.Inference;
using Know2Vec.Core.Knowledge;
using Microsoft.ML.OnnxRuntime;

namespace Know2Vec.Core.Alignment;

/// <summary>
/// The learned alignment (tools/align-trainer): two ONNX towers served by ONNX Runtime (on GPU
/// when the session factory has CUDA). The model tower takes, per reached class, [node, mean
/// boundary facing the other reached classes, mean boundary they face it]; the query tower takes
/// the class prototypes. In "set" mode (the trainer's default) each tower returns one unit vector
/// per class and models are ranked by matching class sets, like the zero-shot alignment but in
/// the learned space; the one vector stored in the index (for recall) is the normalised mean of
/// the class vectors. In "vector" mode each tower returns one unit vector and the score is their
/// cosine; class matches then use the featurizer's view.
/// </summary>
public sealed class TrainedAlignment : IAlignment, IDisposable
{
    public const string ModelTowerFile = "model-tower.onnx";
    public const string QueryTowerFile = "query-tower.onnx";
    public const string DescriptorFile = "alignment.json";

    private readonly InferenceSession _modelTower;
    private readonly InferenceSession _queryTower;
    private readonly ZeroShotAlignment _classVectors;

    private TrainedAlignment(string version, bool setMode, int featureDimension, int dimension, InferenceSession modelTower, InferenceSession queryTower)
    {
        Version = version;
        RanksByClassMatch = setMode;
        FeatureDimension = featureDimension;
        Dimension = dimension;
        _modelTower = modelTower;
        _queryTower = queryTower;
        _classVectors = new ZeroShotAlignment(new float[featureDimension]);
    }

    public string Version { get; }

    public int Dimension { get; }

    /// <summary>The featurizer dimension D the towers were trained on.</summary>
    public int FeatureDimension { get; }

    /// <inheritdoc/>
    public bool RanksByClassMatch { get; }

    /// <summary>Whether <paramref name="directory"/> holds an alignment (both towers and the descriptor).</summary>
    public static bool Exists(string directory) =>
        File.Exists(Path.Combine(directory, DescriptorFile)) &&
        File.Exists(Path.Combine(directory, ModelTowerFile)) &&
        File.Exists(Path.Combine(directory, QueryTowerFile));

    /// <summary>Loads the towers of an alignment folder written by tools/align-trainer.</summary>
    public static TrainedAlignment Load(string directory, OnnxSessionFactory sessions)
    {
        using var descriptor = JsonDocument.Parse(File.ReadAllText(Path.Combine(directory, DescriptorFile)));
        var root = descriptor.RootElement;
        var modelTower = sessions.Create(Path.Combine(directory, ModelTowerFile));
        try
        {
            var queryTower = sessions.Create(Path.Combine(directory, QueryTowerFile));
            var mode = root.TryGetProperty("mode", out var m) ? m.GetString() : "vector";
            return new TrainedAlignment(
                root.GetProperty("version").GetString()!,
                mode switch
                {
                    "set" => true,
                    "vector" => false,
                    _ => throw new InvalidDataException($"{DescriptorFile}: unknown mode '{mode}'"),
                },
                root.GetProperty("featurizerDimension").GetInt32(),
                root.GetProperty("embeddingDimension").GetInt32(),
                modelTower,
                queryTower);
        }
        catch
        {
            modelTower.Dispose();
            throw;
        }
    }

    /// <inheritdoc/>
    public float[] EncodeModel(KnowledgeTensor knowledge) => RanksByClassMatch
        ? MeanOf(ModelClassVectors(knowledge).Where(v => v is not null).Cast<float[]>().ToList())
        : RunModelTower(ModelTowerInput(knowledge));

    /// <inheritdoc/>
    public float[] EncodeQuery(IReadOnlyList<QueryClass> query) => RanksByClassMatch
        ? MeanOf(QueryClassVectors(query))
        : RunQueryTower(QueryTowerInput(query, FeatureDimension));

    /// <inheritdoc/>
    public float[]?[] ModelClassVectors(KnowledgeTensor knowledge)
    {
        if (!RanksByClassMatch)
        {
            return _classVectors.ModelClassVectors(knowledge);
        }

        var rows = Rows(RunModelTower(ModelTowerInput(knowledge)));
        var result = new float[]?[knowledge.Classes];
        var next = 0;
        for (var c = 0; c < knowledge.Classes; c++)
        {
            result[c] = knowledge.Reached[c] ? rows[next++] : null;
        }

        return result;
    }

    /// <inheritdoc/>
    public float[][] QueryClassVectors(IReadOnlyList<QueryClass> query) => RanksByClassMatch
        ? Rows(RunQueryTower(QueryTowerInput(query, FeatureDimension)))
        : _classVectors.QueryClassVectors(query);

    private float[][] Rows(float[] flat) => flat.Chunk(Dimension).ToArray();

    private static float[] MeanOf(IReadOnlyList<float[]> vectors) =>
        ZeroShotAlignment.Normalised(ZeroShotAlignment.Mean(vectors));

    /// <summary>Runs the model tower on a prepared [C, 3D] input (row-major); output flattened.</summary>
    public float[] RunModelTower(float[] classes) => Run(_modelTower, classes, 3 * FeatureDimension);

    /// <summary>Runs the query tower on a prepared [K, D] input (row-major).</summary>
    public float[] RunQueryTower(float[] classes) => Run(_queryTower, classes, FeatureDimension);

    /// <summary>Per reached class c: [node_c, mean_j b_cj, mean_j b_jc] over the other reached classes j (zeros when there are none).</summary>
    public static float[] ModelTowerInput(KnowledgeTensor knowledge)
    {
        var d = knowledge.Dimension;
        var reached = Enumerable.Range(0, knowledge.Classes).Where(c => knowledge.Reached[c]).ToList();
        var input = new float[reached.Count * 3 * d];
        for (var r = 0; r < reached.Count; r++)
        {
            var c = reached[r];
            var row = input.AsSpan(r * 3 * d, 3 * d);
            knowledge.Node(c).CopyTo(row[..d]);
            var others = reached.Where(j => j != c).ToList();
            foreach (var j in others)
            {
                TensorPrimitives.Add(row.Slice(d, d), knowledge.Boundary(c, j), row.Slice(d, d));
                TensorPrimitives.Add(row.Slice(2 * d, d), knowledge.Boundary(j, c), row.Slice(2 * d, d));
            }

            if (others.Count > 0)
            {
                TensorPrimitives.Divide(row.Slice(d, 2 * d), others.Count, row.Slice(d, 2 * d));
            }
        }

        return input;
    }

    /// <summary>Per query class: the mean feature of its samples (its prototype).</summary>
    public static float[] QueryTowerInput(IReadOnlyList<QueryClass> query, int dimension)
    {
        var input = new float[query.Count * dimension];
        for (var k = 0; k < query.Count; k++)
        {
            ZeroShotAlignment.Mean(query[k].Features).CopyTo(input.AsSpan(k * dimension, dimension));
        }

        return input;
    }

    private static float[] Run(InferenceSession session, float[] classes, int width)
    {
        if (classes.Length == 0 || classes.Length % width != 0)
        {
            throw new ArgumentException($"tower input must be [C, {width}] with C >= 1", nameof(classes));
        }

        using var input = OrtValue.CreateTensorValueFromMemory(classes, [classes.Length / width, width]);
        using var runOptions = new RunOptions();
        using var results = session.Run(runOptions, ["classes"], [input], ["embedding"]);
        return results[0].GetTensorDataAsSpan<float>().ToArray();
    }

    public void Dispose()
    {
        _modelTower.Dispose();
        _queryTower.Dispose();
    }
}
