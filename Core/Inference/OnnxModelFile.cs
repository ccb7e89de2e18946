using Onnx;

namespace Know2Vec.Core.Inference;

/// <summary>
/// What an ONNX file declares, read from its protobuf without creating a session (cheap, and no
/// operator runs): its graph inputs with their dimensions and the number of weights it stores.
/// Registration checks a manifest's declarations against this before anything is stored.
/// </summary>
/// <param name="Inputs">The graph inputs that are not initializers (what a caller must feed).</param>
/// <param name="ParameterCount">Elements of every initializer: the model's stored weights.</param>
public sealed record OnnxModelFile(IReadOnlyList<OnnxModelFile.TensorInput> Inputs, long ParameterCount)
{
    /// <summary>One graph input; a dimension is null where the file leaves it dynamic (symbolic or unset).</summary>
    public sealed record TensorInput(string Name, bool IsFloatTensor, IReadOnlyList<long?> Dimensions, IReadOnlyList<string?> SymbolicNames);

    /// <exception cref="InvalidDataException">The file is not a readable ONNX model.</exception>
    public static OnnxModelFile Read(string path)
    {
        ModelProto model;
        try
        {
            using var stream = File.OpenRead(path);
            model = ModelProto.Parser.ParseFrom(stream);
        }
        catch (Google.Protobuf.InvalidProtocolBufferException e)
        {
            throw new InvalidDataException("not a readable ONNX model (the protobuf does not parse)", e);
        }

        if (model.Graph is null)
        {
            throw new InvalidDataException("not a readable ONNX model (no graph)");
        }

        var initializers = model.Graph.Initializer.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        var inputs = model.Graph.Input
            .Where(i => !initializers.Contains(i.Name))
            .Select(i =>
            {
                var tensor = i.Type?.TensorType;
                var dims = tensor?.Shape?.Dim ?? [];
                return new TensorInput(
                    i.Name,
                    tensor is not null && tensor.ElemType == (int)TensorProto.Types.DataType.Float,
                    dims.Select(d => d.ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue && d.DimValue > 0 ? d.DimValue : (long?)null).ToArray(),
                    dims.Select(d => d.ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimParam ? d.DimParam : null).ToArray());
            })
            .ToArray();
        var parameters = model.Graph.Initializer.Sum(i => i.Dims.Aggregate(1L, (a, b) => a * b));
        return new OnnxModelFile(inputs, parameters);
    }
}
