using Microsoft.Extensions.Logging.Abstractions;
using StreamWatch.Inference.Onnx;
using StreamWatch.Inference.Qwen3Vl;
using StreamWatch.Tests.Inference.Onnx;

namespace StreamWatch.Tests.Inference;

public sealed class Qwen3VlRunnerTests : IDisposable
{
    private const int RealTokenCount = 151_669;
    private readonly List<string> _dirs = new();
    private readonly List<IDisposable> _models = new();

    private (Qwen3VlModel Model, TinySpec Spec) Load(TinySpec spec, OnnxOptions? options = null, ListLogger? log = null)
    {
        var dir = TinyQwen.Write(spec);
        _dirs.Add(dir);
        var m = Qwen3VlModel.Load(dir, TestOrt.Runtime, options ?? TestOrt.Cpu, (Microsoft.Extensions.Logging.ILogger?)log ?? NullLogger.Instance);
        _models.Add(m);
        return (m, spec);
    }

    public void Dispose()
    {
        foreach (var m in _models) m.Dispose();
        foreach (var d in _dirs) Directory.Delete(d, true);
    }

    private static readonly PreprocessedImage Img = TestPrompts.Image(4, 6, seed: 3);   // 2×3 merged = 6 image tokens
    private static Prompt ImagePrompt(long last = 198) => TestPrompts.Build(
        new long[] { 151644, 872, 198, 151652 }, Img, new long[] { 151653, 3872, 5489, 15679, 30, 151645, 198, 151644, 77091, last });

    [Theory]
    [InlineData(ModelLayout.GenAi, false, false)]
    [InlineData(ModelLayout.GenAi, true, true)]
    [InlineData(ModelLayout.OnnxCommunity, false, false)]
    [InlineData(ModelLayout.OnnxCommunity, true, false)]
    [InlineData(ModelLayout.OnnxCommunity, false, true)]
    [InlineData(ModelLayout.GenAi, false, true)]
    public void Generation_matches_the_managed_reference(ModelLayout layout, bool f16, bool deepStack)
    {
        var (m, spec) = Load(new TinySpec(layout, f16, deepStack));
        var prompt = ImagePrompt();
        Assert.True(prompt.RopeDelta < 0);
        var gen = new Qwen3VlGenerator(m, new CountTokenizer(RealTokenCount));
        var r = gen.Generate(prompt, [Img], null, 8, CancellationToken.None);
        var (want, why) = TinyQwenReference.Generate(spec, prompt, [Img], RealTokenCount, 8);
        Assert.Equal(want, r.TokenIds);
        Assert.Equal(why, r.Reason);
        // Decoding at n instead of n + rope_delta, or dropping the image features, would give other tokens.
        Assert.NotEqual(want, TinyQwenReference.Generate(spec, prompt, [Img], RealTokenCount, 8, ropeDeltaOverride: 0).Tokens);
    }

    [Fact]
    public void Both_layouts_are_detected_with_their_tensors()
    {
        var (g, _) = Load(new TinySpec(ModelLayout.GenAi, Float16: true, DeepStack: true));
        Assert.Equal(ModelLayout.GenAi, g.Layout);
        Assert.True(g.HasDeepStack);
        Assert.True(g.Signature.EmbeddingScattersImages);
        Assert.Equal(OnnxElementType.Float16, g.Signature.KvType);
        Assert.Equal(OnnxElementType.Float16, g.Signature.LogitsType);
        Assert.Equal(OnnxElementType.Float, g.Signature.PixelType);
        Assert.Equal((2, 2, 3, 4, 151_936), (g.Signature.Layers, g.Signature.KvHeads, g.Signature.HeadDim, g.Signature.Hidden, g.Signature.Vocab));

        var log = new ListLogger();
        var (c, _) = Load(new TinySpec(ModelLayout.OnnxCommunity), log: log);
        Assert.Equal(ModelLayout.OnnxCommunity, c.Layout);
        Assert.False(c.HasDeepStack);
        Assert.False(c.Signature.EmbeddingScattersImages);
        Assert.Equal(OnnxElementType.Float, c.Signature.EmbedsType);
        Assert.Contains(log.Lines, l => l.Level == Microsoft.Extensions.Logging.LogLevel.Warning && l.Message.Contains("DeepStack"));
    }

    [Fact]
    public void The_kv_cache_grows_by_one_per_step_and_max_tokens_caps()
    {
        var (m, spec) = Load(new TinySpec(ModelLayout.OnnxCommunity));
        var prompt = ImagePrompt();
        var r = new Qwen3VlGenerator(m, new CountTokenizer(RealTokenCount)).Generate(prompt, [Img], null, 5, CancellationToken.None);
        Assert.Equal(StopReason.MaxTokens, r.Reason);
        Assert.Equal(5, r.TokenIds.Length);
        int s = prompt.InputIds.Length;
        Assert.Equal([0, s, s + 1, s + 2, s + 3], r.Steps.Select(x => x.PastLength));
        Assert.Equal(r.TokenIds, r.Steps.Select(x => x.TokenId));
        Assert.All(r.Steps, x => Assert.True(x.StepMicros >= x.OrtMicros && x.OrtMicros > 0));
    }

    /// <summary>
    /// A prompt ending in some token x whose reference continuation satisfies <paramref name="ok"/>. The first
    /// generated id moves with x (≈ x + 2·(x mod 7) + const), so x is looked for around where it lands on <paramref name="aim"/>.
    /// </summary>
    private static (Prompt, (int[] Tokens, StopReason Reason)) Near(TinySpec spec, int aim, Func<(int[] Tokens, StopReason Reason), bool> ok, int tokenCount = RealTokenCount)
    {
        int first = TinyQwenReference.Generate(spec, ImagePrompt(7), [Img], 151_936, 1).Tokens[0];
        long from = Math.Max(0, 7 + aim - first - 1500);
        return Enumerable.Range(0, 3000).Select(i => ImagePrompt(from + i))
            .Select(p => (p, TinyQwenReference.Generate(spec, p, [Img], tokenCount, 3)))
            .First(x => ok(x.Item2));
    }

    [Fact]
    public void A_stop_token_ends_generation()
    {
        var (m, spec) = Load(new TinySpec(ModelLayout.GenAi));
        // A last prompt token whose reference continuation emits a stop id as the second token (the first decode step).
        var probe = TinyQwenReference.Generate(spec, ImagePrompt(7), [Img], RealTokenCount, 2).Tokens;
        var (prompt, want) = Near(spec, Qwen3VlGenerator.EosId - (probe[1] - probe[0]),
            w => w.Reason == StopReason.StopToken && w.Tokens.Length == 1);
        var r = new Qwen3VlGenerator(m, new CountTokenizer(RealTokenCount)).Generate(prompt, [Img], null, 10, CancellationToken.None);
        Assert.Equal(StopReason.StopToken, r.Reason);
        Assert.Equal(want.Tokens, r.TokenIds);
        Assert.Contains(r.Steps[^1].TokenId, new[] { Qwen3VlGenerator.EosId, Qwen3VlGenerator.EndOfTextId });
        Assert.Equal(2, r.Steps.Count);
    }

    [Fact]
    public void Ids_at_or_above_the_tokenizer_count_are_never_chosen()
    {
        var (m, spec) = Load(new TinySpec(ModelLayout.OnnxCommunity, Float16: true));
        var (prompt, _) = Near(spec, 151_700, w => w.Tokens.Length > 0 && w.Tokens[0] >= RealTokenCount, tokenCount: 151_936);
        var r = new Qwen3VlGenerator(m, new CountTokenizer(RealTokenCount)).Generate(prompt, [Img], null, 1, CancellationToken.None);
        Assert.Equal(RealTokenCount - 1, r.TokenIds[0]);
        Assert.Equal(TinyQwenReference.Generate(spec, prompt, [Img], RealTokenCount, 1).Tokens, r.TokenIds);
    }

    [Fact]
    public void A_logit_constraint_steers_and_completes_generation()
    {
        var (m, spec) = Load(new TinySpec(ModelLayout.GenAi, DeepStack: true));
        var c = new ScriptConstraint([4913, 5000], [276, 83092], [92]);
        var prompt = ImagePrompt();
        var r = new Qwen3VlGenerator(m, new CountTokenizer(RealTokenCount)).Generate(prompt, [Img], c, 20, CancellationToken.None);
        var (want, why) = TinyQwenReference.Generate(spec, prompt, [Img], RealTokenCount, 20, c.AllowedAt);
        Assert.Equal(StopReason.ConstraintComplete, r.Reason);
        Assert.Equal(why, r.Reason);
        Assert.Equal(want, r.TokenIds);
        Assert.Equal(want, c.Accepted);
        Assert.All(c.SpanLengths, n => Assert.Equal(RealTokenCount, n));
    }

    [Fact]
    public void Text_only_prompts_generate_without_images()
    {
        var (m, spec) = Load(new TinySpec(ModelLayout.GenAi, Float16: true));
        var prompt = TestPrompts.Build(new long[] { 151644, 872, 198, 9707, 151645, 198, 151644, 77091, 198 });
        Assert.Equal(0, prompt.RopeDelta);
        var r = new Qwen3VlGenerator(m, new CountTokenizer(RealTokenCount)).Generate(prompt, [], null, 4, CancellationToken.None);
        Assert.Equal(TinyQwenReference.Generate(spec, prompt, [], RealTokenCount, 4).Tokens, r.TokenIds);
    }

    [Fact]
    public void Bad_requests_fail_clearly()
    {
        var (m, _) = Load(new TinySpec(ModelLayout.OnnxCommunity));
        var gen = new Qwen3VlGenerator(m, new CountTokenizer(RealTokenCount));
        var e = Assert.Throws<ArgumentException>(() => gen.Generate(ImagePrompt(), [], null, 4, CancellationToken.None));
        Assert.Contains("6 image-pad tokens", e.Message);
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => gen.Generate(ImagePrompt(), [Img], null, 4, cts.Token));
        Assert.Throws<ArgumentException>(() => gen.Generate(ImagePrompt(), [TestPrompts.Image(4, 4, 1) with { GridW = 6 }], null, 4, CancellationToken.None));
    }

    [Fact]
    public void Cuda_requested_on_a_cpu_only_library_falls_back_and_still_generates()
    {
        var log = new ListLogger();
        var rt = new OnnxEnvironment(log);
        var spec = new TinySpec(ModelLayout.OnnxCommunity, Float16: true);
        var dir = TinyQwen.Write(spec); _dirs.Add(dir);
        using var m = Qwen3VlModel.Load(dir, rt, new OnnxOptions { Provider = ExecutionProvider.Cuda, IntraOpThreads = 1 }, log);
        if (TestOrt.CudaLibrariesPresent) { Assert.Equal(ExecutionProvider.Cuda, m.Provider); return; }   // a CUDA machine: nothing to fall back from
        Assert.Equal(ExecutionProvider.Cpu, m.Provider);
        Assert.Contains(log.Lines, l => l.Message.Contains("CUDA requested but unavailable") && l.Message.Contains(rt.CudaUnavailableReason!));
        var r = new Qwen3VlGenerator(m, new CountTokenizer(RealTokenCount)).Generate(ImagePrompt(), [Img], null, 3, CancellationToken.None);
        Assert.Equal(TinyQwenReference.Generate(spec, ImagePrompt(), [Img], RealTokenCount, 3).Tokens, r.TokenIds);
    }
}
