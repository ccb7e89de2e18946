namespace Know2Vec.Core.Inference;

/// <summary>
/// A classifier's output cannot be read as logits over its labels (not a float tensor, or a
/// different number of values than the manifest's labels). The message names the problem and is
/// meant for the operator who registered the model.
/// </summary>
public sealed class ModelOutputNotSupportedException(string message) : Exception(message);
