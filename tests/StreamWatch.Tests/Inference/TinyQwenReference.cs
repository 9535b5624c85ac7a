using StreamWatch.Inference.Qwen3Vl;
using StreamWatch.Tests.Inference.Onnx;

namespace StreamWatch.Tests.Inference;

/// <summary>
/// The tiny model's arithmetic (see <see cref="TinyQwen"/>) and the spec's decoding rules written out in
/// managed code: what greedy generation must produce, computed without ONNX Runtime.
/// </summary>
internal static class TinyQwenReference
{
    public static (int[] Tokens, StopReason Reason) Generate(TinySpec spec, Prompt prompt, IReadOnlyList<PreprocessedImage> images,
        int tokenCount, int maxNew, Func<int, IReadOnlySet<int>>? allowedAt = null, long? ropeDeltaOverride = null)
    {
        var rows = new List<float[]>();
        var imageRows = images.SelectMany(img => Enumerable.Range(0, img.TokenCount).Select(k =>
            new float[] { 0, img.PixelValues[4 * k * 1536], img.PixelValues[(4 * k + 1) * 1536], img.PixelValues[(4 * k + 2) * 1536] })).ToList();
        int s = prompt.InputIds.Length, next = 0;
        float ds = 0;
        foreach (var id in prompt.InputIds)
        {
            var r = id == Qwen3VlGenerator.ImagePadId ? imageRows[next++] : Embed(id);
            if (id == Qwen3VlGenerator.ImagePadId && spec.DeepStack) ds += r.Sum() * (1 + 2 + 3);
            rows.Add(r);
        }
        long p = prompt.PositionIds[s - 1] + 3 * prompt.PositionIds[s + s - 1] + 5 * prompt.PositionIds[2 * s + s - 1];
        var tokens = new List<int>();
        long delta = ropeDeltaOverride ?? prompt.RopeDelta;
        for (int step = 0; ; step++)
        {
            var last = rows[^1];
            double t = 1024.0 * last[0] + last[1] + 1 + p
                       + rows.Sum(r => (double)r[2] * 2)   // present.0.key: (0+1)·x2 and x2
                       + 3 * rows.Sum(r => (double)r[3])   // present.{L-1}.value: x3
                       + 7 * rows.Count + ds;               // attention mask, DeepStack (prefill only)
            t %= spec.Vocab;
            var allowed = allowedAt?.Invoke(step);
            // logits are −|v − t|: the best allowed id is the nearest one (the lower on a tie)
            int best = allowed == null ? (int)Math.Min(t, tokenCount - 1)
                : allowed.Where(v => v < tokenCount).OrderBy(v => Math.Abs(v - t)).ThenBy(v => v).First();
            if (best is Qwen3VlGenerator.EosId or Qwen3VlGenerator.EndOfTextId) return (tokens.ToArray(), StopReason.StopToken);
            tokens.Add(best);
            if (allowedAt != null && allowedAt(step + 1).Count == 0) return (tokens.ToArray(), StopReason.ConstraintComplete);
            if (tokens.Count == maxNew) return (tokens.ToArray(), StopReason.MaxTokens);
            p = 9 * (rows.Count + delta);
            rows.Add(Embed(best));
            ds = 0;
        }
    }

    private static float[] Embed(long id) => [id / 1024, id % 1024, id % 7, 1];
}

/// <summary>Builds prompts the way the spec says (§2, §3): text ids, image blocks, M-RoPE positions, rope delta.</summary>
internal static class TestPrompts
{
    public static Prompt Build(params object[] items)
    {
        var ids = new List<long>(); var t = new List<long>(); var hh = new List<long>(); var w = new List<long>(); var starts = new List<int>();
        long p = 0;
        foreach (var item in items)
        {
            if (item is long[] text)
                foreach (var id in text) { ids.Add(id); t.Add(p); hh.Add(p); w.Add(p); p++; }
            else if (item is PreprocessedImage img)
            {
                int bh = img.GridH / 2, bw = img.GridW / 2;
                starts.Add(ids.Count);
                for (int i = 0; i < bh; i++)
                    for (int j = 0; j < bw; j++) { ids.Add(Qwen3VlGenerator.ImagePadId); t.Add(p); hh.Add(p + i); w.Add(p + j); }
                p += Math.Max(bh, bw);
            }
        }
        long max = new[] { t.Max(), hh.Max(), w.Max() }.Max();
        return new Prompt(ids.ToArray(), t.Concat(hh).Concat(w).ToArray(), max + 1 - ids.Count, starts);
    }

    /// <summary>An image of grid gh×gw whose merge-window feature values are small integers derived from <paramref name="seed"/>.</summary>
    public static PreprocessedImage Image(int gh, int gw, int seed)
    {
        var px = new float[gh * gw * 1536];
        for (int i = 0; i < px.Length; i++) px[i] = 0.25f;
        for (int r = 0; r < gh * gw; r++) px[r * 1536] = (seed * 31 + r * 17) % 1000;
        return new PreprocessedImage(px, gh, gw);
    }
}

/// <summary>ITokenizer double: only TokenCount matters to the runner.</summary>
internal sealed class CountTokenizer(int count) : ITokenizer
{
    public int TokenCount => count;
    public int[] Encode(string text) => throw new NotSupportedException();
    public string Decode(ReadOnlySpan<int> ids) => string.Join(" ", ids.ToArray());
    public ReadOnlySpan<byte> TokenBytes(int id) => [];
    public bool IsSpecial(int id) => id >= 151643;
}

/// <summary>ILogitConstraint double: step i allows only the ids in script[i]; complete after the script.</summary>
internal sealed class ScriptConstraint(params int[][] script) : ILogitConstraint
{
    private int _step;
    public List<int> SpanLengths { get; } = new();
    public List<int> Accepted { get; } = new();
    public IReadOnlySet<int> AllowedAt(int step) => step < script.Length ? script[step].ToHashSet() : new HashSet<int>();
    public void Apply(Span<float> logits)
    {
        SpanLengths.Add(logits.Length);
        var ok = AllowedAt(_step);
        for (int i = 0; i < logits.Length; i++) if (!ok.Contains(i)) logits[i] = float.NegativeInfinity;
    }
    public void Accept(int tokenId) { Accepted.Add(tokenId); _step++; }
    public bool IsComplete => _step >= script.Length;
}
