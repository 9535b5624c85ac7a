namespace StreamWatch.Inference.Qwen3Vl;

// The seams between the Qwen3-VL pieces (tokenizer, prompt, preprocessing, constrained decoding)
// and the ONNX Runtime runner that drives them. See ../shared/specs/qwen3-vl.md.

/// <summary>Byte-level BPE tokenizer (Qwen2/Qwen3 tokenizer.json).</summary>
public interface ITokenizer
{
    /// <summary>Rows of the model's logits (151 936 for Qwen3-VL); ids at or above <see cref="TokenCount"/> are padding.</summary>
    int TokenCount { get; }
    int[] Encode(string text);
    string Decode(ReadOnlySpan<int> ids);
    /// <summary>The UTF-8 bytes a token stands for (empty for special tokens), for constrained decoding.</summary>
    ReadOnlySpan<byte> TokenBytes(int id);
    bool IsSpecial(int id);
}

/// <summary>One image after preprocessing: pixel_values [GridH·GridW, 1536] and its grid.</summary>
public sealed record PreprocessedImage(float[] PixelValues, int GridH, int GridW)
{
    /// <summary>LLM tokens this image takes: (GridH/2)·(GridW/2).</summary>
    public int TokenCount => GridH / 2 * (GridW / 2);
}

/// <summary>A prompt item: text or an image (by its merged grid size).</summary>
public abstract record PromptItem;
public sealed record TextItem(string Text) : PromptItem;
public sealed record ImageItem(int MergedH, int MergedW) : PromptItem;

/// <summary>
/// A tokenised prompt ready for prefill: input ids, M-RoPE position ids ([3, seq] flattened row-major:
/// t row, h row, w row), the rope delta for decoding, and where each image's tokens start.
/// </summary>
public sealed record Prompt(long[] InputIds, long[] PositionIds, long RopeDelta, IReadOnlyList<int> ImageTokenStarts);

/// <summary>Masks logits so generated text always stays a valid prefix of an allowed output.</summary>
public interface ILogitConstraint
{
    /// <summary>Sets disallowed logits to negative infinity. Never leaves every token disallowed.</summary>
    void Apply(Span<float> logits);
    /// <summary>Advances the constraint by the token actually chosen.</summary>
    void Accept(int tokenId);
    /// <summary>True when the output is complete (the runner then emits the stop token).</summary>
    bool IsComplete { get; }
}
