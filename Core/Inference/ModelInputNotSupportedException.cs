namespace Know2Vec.Core.Inference;

/// <summary>
/// A classifier's declared input cannot be fed a single-channel image (wrong rank, element type,
/// several inputs, or a size that cannot be inferred). The message names the problem and is
/// meant for the operator who registered the model.
/// </summary>
public sealed class ModelInputNotSupportedException : Exception
{
    public ModelInputNotSupportedException(string message)
        : base(message)
    {
    }
}
