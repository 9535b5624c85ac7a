using StreamWatch.Inference.Qwen3Vl;

namespace StreamWatch.Tests.Inference.Onnx;

/// <summary>
/// Shape of a tiny synthetic Qwen3-VL export: the real tensor names, ranks and element types, tiny
/// sizes. Vocabulary is the real 151 936 so the real stop ids can be generated.
/// </summary>
internal sealed record TinySpec(ModelLayout Layout, bool Float16 = false, bool DeepStack = false)
{
    public int Layers => 2;
    public int KvHeads => 2;
    public int HeadDim => 3;
    public int Hidden => 4;
    public int Vocab { get; init; } = 151_936;
    public OnnxType T => Float16 ? OnnxType.Float16 : OnnxType.Float;
}

/// <summary>
/// Writes the three graphs of a tiny export. Their arithmetic (all integer-valued, exact in float16):
/// token embedding [id/1024, id%1024, id%7, 1]; image feature for merge window k of an image
/// [0, px(4k), px(4k+1), px(4k+2)] where px(r) = pixel_values[r, 0]; DeepStack level j = (j+1)·feature;
/// new key row = 2 entries of (l+1)·x2 and x2, new value row = x3; and per row
/// target = 1024·x0 + x1 + 1 + (t + 3h + 5w) + Σ present.0.key + 3·Σ present.{L−1}.value
///          + 7·Σ attention_mask + Σ DeepStack inputs   (mod vocab),  logits[v] = −|v − target|.
/// </summary>
internal static class TinyQwen
{
    public static string Write(TinySpec spec)
    {
        var dir = Path.Combine(Path.GetTempPath(), $"sw-tinyqwen-{Guid.NewGuid():N}");
        if (spec.Layout == ModelLayout.GenAi)
        {
            Directory.CreateDirectory(dir);
            File.WriteAllText(Path.Combine(dir, "genai_config.json"),
                """{"model": {"type": "qwen3_vl", "vision": {"filename": "vision.onnx"}, "embedding": {"filename": "embedding.onnx"}, "decoder": {"filename": "model.onnx"}}}""");
            File.WriteAllBytes(Path.Combine(dir, "vision.onnx"), Vision(spec));
            File.WriteAllBytes(Path.Combine(dir, "embedding.onnx"), Embedding(spec));
            File.WriteAllBytes(Path.Combine(dir, "model.onnx"), Decoder(spec));
        }
        else
        {
            Directory.CreateDirectory(Path.Combine(dir, "onnx"));
            var sfx = spec.Float16 ? "_fp16" : "";
            File.WriteAllBytes(Path.Combine(dir, "onnx", $"vision_encoder{sfx}.onnx"), Vision(spec));
            File.WriteAllBytes(Path.Combine(dir, "onnx", $"embed_tokens{sfx}.onnx"), Embedding(spec));
            File.WriteAllBytes(Path.Combine(dir, "onnx", $"decoder_model_merged{sfx}.onnx"), Decoder(spec));
        }
        return dir;
    }

    public static byte[] Vision(TinySpec spec)
    {
        int h = spec.Hidden;
        var g = new OnnxGraph();
        g.Input("pixel_values", OnnxType.Float, "num_patches", 1536);
        g.Input("image_grid_thw", OnnxType.Int64, "num_images", 3);
        g.Output("image_features", OnnxType.Float, "num_image_tokens", h);
        var w = new float[6144 * h];
        w[0 * h + 1] = 1; w[1536 * h + 2] = 1; w[3072 * h + 3] = 1;
        var f = g.Node("MatMul", g.Node("Reshape", "pixel_values", g.Const([-1L, 6144], 2)), g.Const(w, 6144, h));
        var grid = g.Node("ReduceSum", [g.Node("Cast", ["image_grid_thw"], null, ("to", 1L))], null, ("keepdims", 0L));
        g.Node("Add", [f, g.Node("Mul", grid, g.Scalar(0f))], ["image_features"]);
        if (spec.DeepStack)
            for (int j = 0; j < 3; j++)
            {
                g.Output($"deepstack_features_{j}", OnnxType.Float, "num_image_tokens", h);
                g.Node("Mul", [f, g.Scalar(j + 1f)], [$"deepstack_features_{j}"]);
            }
        return g.ToModel("vision");
    }

    public static byte[] Embedding(TinySpec spec)
    {
        var g = new OnnxGraph();
        g.Input("input_ids", OnnxType.Int64, "batch_size", "sequence_length");
        g.Output("inputs_embeds", spec.T, "batch_size", "sequence_length", spec.Hidden);
        var ax = g.Const([-1L], 1);
        string U(string x) => g.Node("Unsqueeze", x, ax);
        var parts = new[]
        {
            g.Node("Div", "input_ids", g.Scalar(1024L)), g.Node("Mod", "input_ids", g.Scalar(1024L)),
            g.Node("Mod", "input_ids", g.Scalar(7L)), g.Node("Add", g.Node("Mul", "input_ids", g.Scalar(0L)), g.Scalar(1L)),
        }.Select(U).ToArray();
        var tok = g.Node("Cast", [g.Node("Concat", parts, null, ("axis", -1L))], null, ("to", (long)spec.T));
        if (spec.Layout == ModelLayout.OnnxCommunity)
        {
            g.Node("Identity", [tok], ["inputs_embeds"]);
            return g.ToModel("embed_tokens");
        }
        g.Input("image_features", spec.T, "num_image_tokens", spec.Hidden);
        var isImg = g.Node("Equal", "input_ids", g.Scalar(151655L));
        var cnt = g.Node("CumSum", g.Node("Cast", [isImg], null, ("to", 7L)), g.Scalar(1L));
        var idx = g.Node("Max", g.Node("Sub", cnt, g.Scalar(1L)), g.Scalar(0L));
        var zero = spec.Float16 ? g.Const(new Half[spec.Hidden], 1, spec.Hidden) : g.Const(new float[spec.Hidden], 1, spec.Hidden);
        var feats = g.Node("Concat", ["image_features", zero], null, ("axis", 0L));
        var gathered = g.Node("Gather", [feats, idx], null, ("axis", 0L));
        g.Node("Where", [U(isImg), gathered, tok], ["inputs_embeds"]);
        return g.ToModel("embedding");
    }

    public static byte[] Decoder(TinySpec spec)
    {
        int h = spec.Hidden, kv = spec.KvHeads, d = spec.HeadDim;
        var g = new OnnxGraph();
        g.Input("inputs_embeds", spec.T, "batch_size", "sequence_length", h);
        g.Input("attention_mask", OnnxType.Int64, "batch_size", "total_sequence_length");
        g.Input("position_ids", OnnxType.Int64, 3, "batch_size", "sequence_length");
        g.Output("logits", spec.T, "batch_size", "sequence_length", spec.Vocab);
        string F(string x) => g.Node("Cast", [x], null, ("to", 1L));
        string Sum(string x) => g.Node("ReduceSum", [F(x)], null, ("keepdims", 0L));
        var x = F("inputs_embeds");
        var id = g.Node("MatMul", x, g.Const([1024f, 1, 0, 0], h, 1));
        var pos = g.Node("MatMul", g.Node("Transpose", [F("position_ids")], null, ("perm", new long[] { 1, 2, 0 })), g.Const([1f, 3, 5], 3, 1));
        var shape = g.Const([0L, 0, kv, d], 4);
        for (int l = 0; l < spec.Layers; l++)
        {
            var wk = new float[h * kv * d]; wk[2 * kv * d + 0] = l + 1; wk[2 * kv * d + d] = 1;
            var wv = new float[h * kv * d]; wv[3 * kv * d + 0] = 1;
            foreach (var (kind, w) in new[] { ("key", wk), ("value", wv) })
            {
                g.Input($"past_key_values.{l}.{kind}", spec.T, "batch_size", kv, "past_sequence_length", d);
                g.Output($"present.{l}.{kind}", spec.T, "batch_size", kv, "total_sequence_length", d);
                var rows = g.Node("Transpose", [g.Node("Reshape", g.Node("MatMul", x, g.Const(w, h, kv * d)), shape)], null, ("perm", new long[] { 0, 2, 1, 3 }));
                g.Node("Concat", [$"past_key_values.{l}.{kind}", g.Node("Cast", [rows], null, ("to", (long)spec.T))], [$"present.{l}.{kind}"], ("axis", 2L));
            }
        }
        var t = g.Node("Add", g.Node("Add", id, g.Scalar(1f)), pos);
        t = g.Node("Add", t, Sum("present.0.key"));
        t = g.Node("Add", t, g.Node("Mul", Sum($"present.{spec.Layers - 1}.value"), g.Scalar(3f)));
        t = g.Node("Add", t, g.Node("Mul", Sum("attention_mask"), g.Scalar(7f)));
        if (spec.DeepStack)
            for (int j = 0; j < 3; j++)
            {
                g.Input($"deepstack_features_{j}", spec.T, "batch_size", "sequence_length", h);
                t = g.Node("Add", t, Sum($"deepstack_features_{j}"));
            }
        t = g.Node("Mod", [t, g.Scalar((float)spec.Vocab)], null, ("fmod", 1L));
        var vocab = g.Const(Enumerable.Range(0, spec.Vocab).Select(i => (float)i).ToArray(), spec.Vocab);
        g.Node("Cast", [g.Node("Neg", g.Node("Abs", g.Node("Sub", vocab, t)))], ["logits"], ("to", (long)spec.T));
        return g.ToModel("decoder");
    }
}
