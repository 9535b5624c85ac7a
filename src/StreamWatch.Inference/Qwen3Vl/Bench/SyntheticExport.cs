using StreamWatch.Inference.Onnx;

namespace StreamWatch.Inference.Qwen3Vl.Bench;

/// <summary>The real Qwen3-VL text and vision widths (shared/specs/qwen3-vl.md §5).</summary>
public sealed record QwenShape(string Name, int Hidden, int Layers, int Heads, int KvHeads, int HeadDim, int Intermediate)
{
    public const int Vocab = 151_936, VisionWidth = 1024, VisionHeads = 16, VisionIntermediate = 4096, VisionDepth = 24;
    public static readonly QwenShape Q2B = new("2b", 2048, 28, 16, 8, 128, 6144);
    public static readonly QwenShape Q4B = new("4b", 2560, 36, 32, 8, 128, 9728);
    public static QwenShape? Parse(string s) => s.ToLowerInvariant() switch { "2b" => Q2B, "4b" => Q4B, _ => null };

    /// <summary>Float32 bytes of the decoder's weights, all of which one decode step reads (layers + output projection).</summary>
    public long DecoderWeightBytes(int layers) =>
        4L * ((long)layers * (Hidden * (long)(Heads + 2 * KvHeads) * HeadDim + (long)Heads * HeadDim * Hidden + 3L * Hidden * Intermediate) + (long)Hidden * Vocab);
}

/// <summary>
/// Writes a random-weight onnx-community layout (onnx/vision_encoder.onnx, embed_tokens.onnx,
/// decoder_model_merged.onnx) with a <see cref="QwenShape"/>'s real widths, the same input/output names
/// and shapes the runner loads. Each decoder layer: LayerNorm, q/k/v projections, KV concat onto
/// past (grouped-query attention, softmax over the whole cache), output projection, LayerNorm,
/// SiLU-gated MLP; then LayerNorm and the 151 936-wide output projection. Not in the graph: RoPE,
/// the causal mask, q/k norms and DeepStack (cheap element-wise work next to the matmuls).
/// The vision graph: 1536→1024 patch projection, <c>visionLayers</c> ViT blocks (width 1024, 16 heads,
/// MLP 4096, full attention over the image's patches), then the 2×2 merger (4096→4096→hidden).
/// </summary>
public static class SyntheticExport
{
    public static void Write(string dir, QwenShape shape, int layers, int visionLayers)
    {
        var onnx = Path.Combine(dir, "onnx");
        Directory.CreateDirectory(onnx);
        WriteVision(onnx, shape, visionLayers);
        WriteEmbedding(onnx, shape);
        WriteDecoder(onnx, shape, layers);
    }

    private static float Scale(long fanIn) => MathF.Sqrt(3f / fanIn); // unit-variance outputs for unit-variance inputs

    private static string MatMul(OnnxGraphWriter g, string x, int inDim, int outDim) => g.Node("MatMul", [x, g.Weight([inDim, outDim], Scale(inDim))]);

    private static string Norm(OnnxGraphWriter g, string x, int width) =>
        g.Node("LayerNormalization", [x, g.Weight([width], 0, 1f), g.Weight([width], 0, 0f)], ("axis", -1L), ("epsilon", 1e-6f));

    private static void WriteEmbedding(string onnx, QwenShape s)
    {
        using var g = new OnnxGraphWriter(Path.Combine(onnx, "embed_tokens.onnx_data"));
        g.Input(ModelSignature.InputIds, OnnxGraphWriter.Int64, "batch", "seq");
        g.NodeTo("Gather", [g.Weight([QwenShape.Vocab, s.Hidden], 1f), ModelSignature.InputIds], [ModelSignature.InputsEmbeds], ("axis", 0L));
        g.Output(ModelSignature.InputsEmbeds, OnnxGraphWriter.Float, "batch", "seq", s.Hidden);
        g.Save(Path.Combine(onnx, "embed_tokens.onnx"));
    }

    private static void WriteVision(string onnx, QwenShape s, int visionLayers)
    {
        const int w = QwenShape.VisionWidth, heads = QwenShape.VisionHeads, hd = w / heads;
        using var g = new OnnxGraphWriter(Path.Combine(onnx, "vision_encoder.onnx_data"));
        g.Input(ModelSignature.PixelValues, OnnxGraphWriter.Float, "patches", ImagePreprocessor.PatchDim);
        g.Input(ModelSignature.GridThw, OnnxGraphWriter.Int64, "images", 3);
        var x = MatMul(g, ModelSignature.PixelValues, ImagePreprocessor.PatchDim, w);
        var split = g.Ints(0, heads, hd);
        for (int l = 0; l < visionLayers; l++)
        {
            var n = Norm(g, x, w);
            string Heads(string t) => g.Node("Transpose", [g.Node("Reshape", [t, split])], ("perm", new long[] { 1, 0, 2 })); // [heads, N, hd]
            var q = Heads(MatMul(g, n, w, w));
            var k = Heads(MatMul(g, n, w, w));
            var v = Heads(MatMul(g, n, w, w));
            var scores = g.Node("Mul", [g.Node("MatMul", [q, g.Node("Transpose", [k], ("perm", new long[] { 0, 2, 1 }))]), g.Weight([1], 0, 1f / MathF.Sqrt(hd))]);
            var ctx = g.Node("MatMul", [g.Node("Softmax", [scores], ("axis", -1L)), v]);
            var merged = g.Node("Reshape", [g.Node("Transpose", [ctx], ("perm", new long[] { 1, 0, 2 })), g.Ints(0, w)]);
            x = g.Node("Add", [x, MatMul(g, merged, w, w)]);
            var m = MatMul(g, Norm(g, x, w), w, QwenShape.VisionIntermediate);
            var act = g.Node("Mul", [m, g.Node("Sigmoid", [g.Node("Mul", [m, g.Weight([1], 0, 1.702f)])])]); // quick GELU
            x = g.Node("Add", [x, MatMul(g, act, QwenShape.VisionIntermediate, w)]);
        }
        var grouped = g.Node("Reshape", [Norm(g, x, w), g.Ints(-1, 4 * w)]); // each 2×2 merge window is 4 consecutive rows
        var hidden = MatMul(g, grouped, 4 * w, 4 * w);
        var gelu = g.Node("Mul", [hidden, g.Node("Sigmoid", [g.Node("Mul", [hidden, g.Weight([1], 0, 1.702f)])])]);
        g.NodeTo("MatMul", [gelu, g.Weight([4 * w, s.Hidden], Scale(4 * w))], [ModelSignature.ImageFeatures]);
        g.Output(ModelSignature.ImageFeatures, OnnxGraphWriter.Float, "image_tokens", s.Hidden);
        g.Save(Path.Combine(onnx, "vision_encoder.onnx"));
    }

    private static void WriteDecoder(string onnx, QwenShape s, int layers)
    {
        int h = s.Hidden, hd = s.HeadDim, kv = s.KvHeads, group = s.Heads / s.KvHeads;
        using var g = new OnnxGraphWriter(Path.Combine(onnx, "decoder_model_merged.onnx_data"));
        g.Input(ModelSignature.InputsEmbeds, OnnxGraphWriter.Float, "batch", "seq", h);
        g.Input(ModelSignature.AttentionMask, OnnxGraphWriter.Int64, "batch", "total");
        g.Input(ModelSignature.PositionIds, OnnxGraphWriter.Int64, 3, "batch", "seq");
        var scale = g.Weight([1], 0, 1f / MathF.Sqrt(hd));
        var kvSplit = g.Ints(0, 0, kv, hd);
        var x = ModelSignature.InputsEmbeds;
        for (int l = 0; l < layers; l++)
        {
            g.Input(ModelSignature.PastKey(l), OnnxGraphWriter.Float, "batch", kv, "past", hd);
            g.Input(ModelSignature.PastValue(l), OnnxGraphWriter.Float, "batch", kv, "past", hd);
            var n = Norm(g, x, h);
            // q: [B,S,heads·hd] → [B,kv,group·S,hd] so each KV head serves its group of query heads in one matmul
            var q = g.Node("Reshape", [g.Node("Transpose", [g.Node("Reshape", [MatMul(g, n, h, s.Heads * hd), g.Ints(0, 0, kv, group, hd)])],
                ("perm", new long[] { 0, 2, 3, 1, 4 })), g.Ints(0, 0, -1, hd)]);
            string Kv(string t) => g.Node("Transpose", [g.Node("Reshape", [t, kvSplit])], ("perm", new long[] { 0, 2, 1, 3 }));
            var k = g.NodeTo("Concat", [ModelSignature.PastKey(l), Kv(MatMul(g, n, h, kv * hd))], [ModelSignature.PresentKey(l)], ("axis", 2L))[0];
            var v = g.NodeTo("Concat", [ModelSignature.PastValue(l), Kv(MatMul(g, n, h, kv * hd))], [ModelSignature.PresentValue(l)], ("axis", 2L))[0];
            var scores = g.Node("Mul", [g.Node("MatMul", [q, g.Node("Transpose", [k], ("perm", new long[] { 0, 1, 3, 2 }))]), scale]);
            var ctx = g.Node("MatMul", [g.Node("Softmax", [scores], ("axis", -1L)), v]);                      // [B,kv,group·S,hd]
            var back = g.Node("Reshape", [g.Node("Transpose", [g.Node("Reshape", [ctx, g.Ints(0, 0, group, -1, hd)])],
                ("perm", new long[] { 0, 3, 1, 2, 4 })), g.Ints(0, 0, -1)]);                                 // [B,S,heads·hd]
            x = g.Node("Add", [x, MatMul(g, back, s.Heads * hd, h)]);
            var m = Norm(g, x, h);
            var gate = MatMul(g, m, h, s.Intermediate);
            var silu = g.Node("Mul", [gate, g.Node("Sigmoid", [gate])]);
            x = g.Node("Add", [x, MatMul(g, g.Node("Mul", [silu, MatMul(g, m, h, s.Intermediate)]), s.Intermediate, h)]);
            g.Output(ModelSignature.PresentKey(l), OnnxGraphWriter.Float, "batch", kv, "total", hd);
            g.Output(ModelSignature.PresentValue(l), OnnxGraphWriter.Float, "batch", kv, "total", hd);
        }
        g.NodeTo("MatMul", [Norm(g, x, h), g.Weight([h, QwenShape.Vocab], Scale(h))], [ModelSignature.Logits]);
        g.Output(ModelSignature.Logits, OnnxGraphWriter.Float, "batch", "seq", QwenShape.Vocab);
        g.Save(Path.Combine(onnx, "decoder_model_merged.onnx"));
    }
}
