namespace StreamWatch.Inference;

/// <summary>
/// A model request that produced no usable verdict (transport error, timeout, open circuit, or an
/// answer that is not schema-valid JSON). Already counted and logged where it was thrown; the
/// scheduler catches it. <see cref="Reason"/> is a bounded metric tag value.
/// </summary>
public sealed class ModelAnswerException(string reason, string message, Exception? inner = null) : Exception(message, inner)
{
    public string Reason { get; } = reason;
}
