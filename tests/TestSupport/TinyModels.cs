using Google.Protobuf;
using Onnx;

namespace Know2Vec.TestSupport;

/// <summary>Hand-built ONNX classifiers with known weights (OnnxSharp protobuf types), for runner tests.</summary>
public static class TinyModels
{
    private static readonly string Directory = System.IO.Directory.CreateTempSubdirectory("know2vec-tests-").FullName;

    /// <summary>An input value description; dims are ints (fixed) or strings (symbolic).</summary>
    public static ValueInfoProto Tensor(string name, TensorProto.Types.DataType type, params object[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (var d in dims)
        {
            shape.Dim.Add(d is string p ? new TensorShapeProto.Types.Dimension { DimParam = p } : new TensorShapeProto.Types.Dimension { DimValue = (int)d });
        }

        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = shape } },
        };
    }

    public static ValueInfoProto Image(params object[] dims) => Tensor("x", TensorProto.Types.DataType.Float, dims);

    public static ValueInfoProto Flat(int length, object? batch = null) => Image(batch ?? "N", length);

    /// <summary>Deterministic weights in -1..1, [inputs, classes].</summary>
    public static float[,] Weights(int inputs, int classes, int seed = 42)
    {
        var random = new Random(seed);
        var w = new float[inputs, classes];
        for (var i = 0; i < inputs; i++)
        {
            for (var c = 0; c < classes; c++)
            {
                w[i, c] = (float)((random.NextDouble() * 2) - 1);
            }
        }

        return w;
    }

    /// <summary>logits = flatten(x) · W + b (a Flatten node is added for inputs of rank above 2).</summary>
    public static ModelProto Gemm(ValueInfoProto input, float[,] weights, float[]? bias = null)
    {
        var (inputs, classes) = (weights.GetLength(0), weights.GetLength(1));
        bias ??= new float[classes];
        var graph = new GraphProto { Name = "tiny" };
        graph.Input.Add(input);
        var rank = input.Type.TensorType.Shape.Dim.Count;
        var batch = input.Type.TensorType.Shape.Dim[0].Clone();
        var gemmInput = input.Name;
        if (rank > 2)
        {
            graph.Node.Add(new NodeProto { OpType = "Flatten", Input = { input.Name }, Output = { "flat" } });
            gemmInput = "flat";
        }

        graph.Initializer.Add(FloatTensor("W", [inputs, classes], weights.Cast<float>()));
        graph.Initializer.Add(FloatTensor("B", [classes], bias));
        graph.Node.Add(new NodeProto { OpType = "Gemm", Input = { gemmInput, "W", "B" }, Output = { "logits" } });
        var output = Tensor("logits", TensorProto.Types.DataType.Float, 0, classes);
        output.Type.TensorType.Shape.Dim[0] = batch;
        graph.Output.Add(output);
        return Model(graph);
    }

    /// <summary>
    /// logits = mean over height and width of each channel (GlobalAveragePool) · W: runs on any image
    /// size, so its file can leave height and width dynamic. <paramref name="weights"/> is [channels, classes].
    /// </summary>
    /// <param name="input">The image input.</param>
    /// <param name="weights">[channels, classes].</param>
    /// <param name="channelsLast">The input is NHWC: a Transpose to NCHW comes first.</param>
    public static ModelProto PooledGemm(ValueInfoProto input, float[,] weights, bool channelsLast = false)
    {
        var classes = weights.GetLength(1);
        var graph = new GraphProto { Name = "pooled" };
        graph.Input.Add(input);
        var pooledInput = input.Name;
        if (channelsLast)
        {
            graph.Node.Add(new NodeProto
            {
                OpType = "Transpose",
                Input = { input.Name },
                Output = { "nchw" },
                Attribute = { new AttributeProto { Name = "perm", Type = AttributeProto.Types.AttributeType.Ints, Ints = { 0, 3, 1, 2 } } },
            });
            pooledInput = "nchw";
        }

        graph.Node.Add(new NodeProto { OpType = "GlobalAveragePool", Input = { pooledInput }, Output = { "pooled" } });
        graph.Node.Add(new NodeProto { OpType = "Flatten", Input = { "pooled" }, Output = { "flat" } });
        graph.Initializer.Add(FloatTensor("W", [weights.GetLength(0), classes], weights.Cast<float>()));
        graph.Initializer.Add(FloatTensor("B", [classes], new float[classes]));
        graph.Node.Add(new NodeProto { OpType = "Gemm", Input = { "flat", "W", "B" }, Output = { "logits" } });
        var output = Tensor("logits", TensorProto.Types.DataType.Float, 0, classes);
        output.Type.TensorType.Shape.Dim[0] = input.Type.TensorType.Shape.Dim[0].Clone();
        graph.Output.Add(output);
        return Model(graph);
    }

    /// <summary>A model whose only node is Identity on the given input (for unsupported input types).</summary>
    public static ModelProto Identity(ValueInfoProto input)
    {
        var graph = new GraphProto { Name = "identity" };
        graph.Input.Add(input);
        graph.Node.Add(new NodeProto { OpType = "Identity", Input = { input.Name }, Output = { "y" } });
        var output = input.Clone();
        output.Name = "y";
        graph.Output.Add(output);
        return Model(graph);
    }

    /// <summary>y = a + b: a model with two inputs.</summary>
    public static ModelProto TwoInputs()
    {
        var graph = new GraphProto { Name = "two" };
        graph.Input.Add(Tensor("a", TensorProto.Types.DataType.Float, "N", 784));
        graph.Input.Add(Tensor("b", TensorProto.Types.DataType.Float, "N", 784));
        graph.Node.Add(new NodeProto { OpType = "Add", Input = { "a", "b" }, Output = { "y" } });
        graph.Output.Add(Tensor("y", TensorProto.Types.DataType.Float, "N", 784));
        return Model(graph);
    }

    /// <summary>Writes the model to a fresh file in a per-run temporary folder.</summary>
    public static string Write(ModelProto model)
    {
        var path = Path.Combine(Directory, $"{Guid.NewGuid():N}.onnx");
        File.WriteAllBytes(path, model.ToByteArray());
        return path;
    }

    private static ModelProto Model(GraphProto graph) => new()
    {
        IrVersion = 8,
        ProducerName = "know2vec-tests",
        OpsetImport = { new OperatorSetIdProto { Domain = "", Version = 13 } },
        Graph = graph,
    };

    private static TensorProto FloatTensor(string name, long[] dims, IEnumerable<float> values) => new()
    {
        Name = name,
        DataType = (int)TensorProto.Types.DataType.Float,
        Dims = { dims },
        FloatData = { values },
    };
}
