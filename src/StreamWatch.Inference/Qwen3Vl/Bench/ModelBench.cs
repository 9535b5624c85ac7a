using Microsoft.Extensions.Logging.Abstractions;
using StreamWatch.Inference.Onnx;

namespace StreamWatch.Inference.Qwen3Vl.Bench;

/// <summary>What one bench run measured: vision encoding of one frame, prefill (embedding + decoder over the prompt) and each decode step.</summary>
public sealed record BenchFigures(ExecutionProvider Provider, int Layers, int PromptTokens, int ImageTokens, double VisionMs, double PrefillMs, double[] DecodeMs)
{
    public double DecodeMedianMs => Sorted[Sorted.Length / 2];
    public double DecodeMinMs => Sorted[0];
    private double[] Sorted => DecodeMs.Order().ToArray();
}

/// <summary>
/// Times the real runner (<see cref="Qwen3VlGenerator"/>) on a model folder: one synthetic 672×384 frame
/// under a short system turn and question, greedy decoding of a fixed number of tokens (stop tokens masked
/// so every run decodes as many). The text needs no tokenizer file: words map to fixed ids.
/// </summary>
public static class ModelBench
{
    public const int FrameWidth = 672, FrameHeight = 384;
    private const string System = "You are a camera monitor. Answer only with JSON.";
    private const string Question = "Is anyone falling, lying on the floor or in distress? Answer {\"anomaly\": bool, \"confidence\": number, \"reason\": string}.";

    public static BenchFigures Run(string dir, OnnxOptions options, int decodeTokens)
    {
        var rgb = new byte[FrameWidth * FrameHeight * 3];
        new Random(1).NextBytes(rgb);
        var image = ImagePreprocessor.FromRgb(rgb, FrameWidth, FrameHeight, FrameWidth * FrameHeight);
        var tokenizer = new WordTokenizer();
        var prompt = new PromptBuilder(tokenizer).Build(System, [new ImageItem(image.GridH / 2, image.GridW / 2), new TextItem(Question)]);
        using var model = Qwen3VlModel.Load(dir, new OnnxEnvironment(), options, NullLogger.Instance);
        var result = new Qwen3VlGenerator(model, tokenizer).Generate(prompt, [image], new NoStop(), decodeTokens + 1, CancellationToken.None);
        return new BenchFigures(model.Provider, model.Signature.Layers, prompt.InputIds.Length, image.TokenCount, result.VisionMs,
            result.Steps[0].StepMicros / 1000, result.Steps.Skip(1).Select(s => s.StepMicros / 1000).ToArray());
    }

    /// <summary>One id per word (about what BPE gives English), within the ordinary vocabulary.</summary>
    private sealed class WordTokenizer : ITokenizer
    {
        public int TokenCount => 151_669;
        public int[] Encode(string text) => text.Split(' ').Select(w => 1000 + (int)((uint)w.GetHashCode() % 100_000)).ToArray();
        public string Decode(ReadOnlySpan<int> ids) => "";
        public ReadOnlySpan<byte> TokenBytes(int id) => [];
        public bool IsSpecial(int id) => false;
    }

    /// <summary>Masks the stop tokens so decoding runs the full count.</summary>
    private sealed class NoStop : ILogitConstraint
    {
        public void Apply(Span<float> logits)
        {
            logits[Qwen3VlGenerator.EosId] = float.NegativeInfinity;
            logits[Qwen3VlGenerator.EndOfTextId] = float.NegativeInfinity;
        }
        public void Accept(int tokenId) { }
        public bool IsComplete => false;
    }
}
