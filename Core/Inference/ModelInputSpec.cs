namespace Know2Vec.Core.Inference;

/// <summary>How a classifier lays out its image input.</summary>
public enum ModelInputLayout
{
    /// <summary>[N, C, H, W] with C = 1 or 3.</summary>
    Nchw,

    /// <summary>[N, H, W, C] with C = 1 or 3 (TensorFlow-style exports).</summary>
    Nhwc,

    /// <summary>[N, H·W], a flattened square grey image.</summary>
    Flat,

    /// <summary>[N, H, W].</summary>
    Nhw,
}

/// <summary>The image input a classifier declares, as read from its ONNX metadata.</summary>
/// <param name="Name">Input name.</param>
/// <param name="Layout">Tensor layout.</param>
/// <param name="Channels">1 or 3 (grey images are replicated across channels).</param>
/// <param name="Height">Image height the model expects.</param>
/// <param name="Width">Image width the model expects.</param>
/// <param name="FixedBatch">The batch size fixed in the file, or null when it is dynamic.</param>
public sealed record ModelInputSpec(string Name, ModelInputLayout Layout, int Channels, int Height, int Width, int? FixedBatch)
{
    /// <summary>Floats per image.</summary>
    public int ImageLength => Channels * Height * Width;

    /// <summary>The tensor shape for <paramref name="batch"/> images.</summary>
    public long[] Shape(int batch) => Layout switch
    {
        ModelInputLayout.Nchw => [batch, Channels, Height, Width],
        ModelInputLayout.Nhwc => [batch, Height, Width, Channels],
        ModelInputLayout.Flat => [batch, Height * Width],
        _ => [batch, Height, Width],
    };
}
