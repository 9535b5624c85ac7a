using StreamWatch.Inference.Onnx;

namespace StreamWatch.Inference.Qwen3Vl;

/// <summary>
/// The vision graph's output for a request's images, in prompt order: image_features rows
/// [Count, H] and, when the export has DeepStack, the same-shaped feature maps per level.
/// </summary>
internal sealed class VisionFeatures
{
    public float[] Rows { get; }
    public int Count { get; }
    private readonly float[][] _deepStack;

    public VisionFeatures(OnnxSession vision, ModelSignature sig, IReadOnlyList<PreprocessedImage> images, CancellationToken ct)
    {
        int h = sig.Hidden;
        Count = images.Sum(i => i.TokenCount);
        Rows = new float[Count * h];
        _deepStack = sig.DecoderDeepStack.Select(_ => new float[Count * h]).ToArray();
        var outputs = new[] { ModelSignature.ImageFeatures }.Concat(sig.HasDeepStack ? sig.VisionDeepStack : []).ToArray();
        int row = 0;
        foreach (var img in images)
        {
            ct.ThrowIfCancellationRequested();
            long patches = (long)img.GridH * img.GridW;
            if (img.PixelValues.Length != patches * 1536)
                throw new ArgumentException($"an image of grid {img.GridH}×{img.GridW} needs {patches * 1536} pixel values, got {img.PixelValues.Length}");
            Array pixels = sig.PixelType == OnnxElementType.Float ? img.PixelValues : TensorMath.Buffer(sig.PixelType, img.PixelValues);
            using var pv = OnnxTensor.FromBuffer(pixels, patches, 1536);
            using var grid = OnnxTensor.FromArray(new long[] { 1, img.GridH, img.GridW }, 1, 3);
            var outs = vision.Run([ModelSignature.PixelValues, ModelSignature.GridThw], [pv, grid], outputs);
            try
            {
                for (int o = 0; o < outs.Length; o++)
                {
                    var shape = outs[o].Shape;
                    if (shape.Length != 2 || shape[0] != img.TokenCount || shape[1] != h)
                        throw new InvalidOperationException($"vision output {outputs[o]} is [{string.Join(",", shape)}], expected [{img.TokenCount},{h}] for a {img.GridH}×{img.GridW} grid");
                    var dst = (o == 0 ? Rows : _deepStack[o - 1]).AsSpan(row * h, img.TokenCount * h);
                    TensorMath.Read(outs[o].Bytes, outs[o].ElementType, 0, dst);
                }
            }
            finally { foreach (var v in outs) v.Dispose(); }
            row += img.TokenCount;
        }
    }

    /// <summary>Writes feature row k into the k-th row of <paramref name="embeds"/> [1, S, h] whose id is the image pad.</summary>
    public void ScatterInto(Span<byte> embeds, OnnxElementType type, long[] ids, int h)
    {
        int k = 0;
        for (int r = 0; r < ids.Length; r++)
            if (ids[r] == Qwen3VlGenerator.ImagePadId) TensorMath.Write(embeds, type, (long)r * h, Rows.AsSpan(k++ * h, h));
    }

    /// <summary>The decoder's DeepStack inputs for the prefill: [1, S, h], features at image rows, zeros elsewhere.</summary>
    public OnnxTensor[] DeepStackRows(long[] ids, ModelSignature sig)
    {
        int h = sig.Hidden;
        var r = new OnnxTensor[_deepStack.Length];
        for (int d = 0; d < r.Length; d++)
        {
            var buf = new float[ids.Length * h];
            int k = 0;
            for (int i = 0; i < ids.Length; i++)
                if (ids[i] == Qwen3VlGenerator.ImagePadId) _deepStack[d].AsSpan(k++ * h, h).CopyTo(buf.AsSpan(i * h));
            r[d] = OnnxTensor.FromBuffer(TensorMath.Buffer(sig.EmbedsType, buf), 1, ids.Length, h);
        }
        return r;
    }
}
