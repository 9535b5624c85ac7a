using System.Diagnostics;
using StreamWatch.Inference.Ort;

namespace StreamWatch.Inference.Qwen3Vl;

public enum StopReason { StopToken, ConstraintComplete, MaxTokens }

/// <summary>One generated token: the KV length the step started from, time inside ORT Run calls and the whole step.</summary>
public readonly record struct StepTiming(int TokenId, int PastLength, double OrtMicros, double StepMicros);

/// <summary>Generated ids (stop token excluded), why generation ended, and timings (step 0 is the prefill).</summary>
public sealed record GenerationResult(int[] TokenIds, StopReason Reason, double VisionMs, IReadOnlyList<StepTiming> Steps);

/// <summary>
/// Greedy generation on a <see cref="Qwen3VlModel"/>: vision features scattered into the image-pad rows,
/// prefill with the prompt's M-RoPE positions, then one token per step with the KV cache, the decode
/// position n + rope_delta, an optional logit constraint, stop tokens and a token cap.
/// </summary>
public sealed unsafe class Qwen3VlGenerator(Qwen3VlModel model, ITokenizer tokenizer)
{
    public const int ImagePadId = 151655, EosId = 151645, EndOfTextId = 151643;
    private readonly ModelSignature _sig = model.Signature;

    /// <summary>Use IoBinding even on a CPU session (the CUDA path keeps the KV cache on the device); for tests.</summary>
    internal bool ForceIoBinding { get; init; }

    /// <summary>Receives the arg-max of the prefill logits at every prompt position (over the full logit width); for tests.</summary>
    internal Action<int[]>? OnPrefillArgMax { get; init; }

    public GenerationResult Generate(Prompt prompt, IReadOnlyList<PreprocessedImage> images, ILogitConstraint? constraint, int maxNewTokens, CancellationToken ct)
    {
        int s = prompt.InputIds.Length, h = _sig.Hidden;
        if (s == 0) throw new ArgumentException("the prompt is empty", nameof(prompt));
        if (prompt.PositionIds.Length != 3 * s) throw new ArgumentException($"position ids hold {prompt.PositionIds.Length} values, expected 3 × {s}", nameof(prompt));
        if (maxNewTokens < 1) throw new ArgumentOutOfRangeException(nameof(maxNewTokens), "must be at least 1");
        int padRows = prompt.InputIds.Count(id => id == ImagePadId), imageRows = images.Sum(i => i.TokenCount);
        if (padRows != imageRows) throw new ArgumentException($"the prompt has {padRows} image-pad tokens but the images take {imageRows}", nameof(images));

        long t0 = Stopwatch.GetTimestamp();
        var vision = new VisionFeatures(model.Vision, _sig, images, ct);
        double visionMs = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;

        var tokens = new int[maxNewTokens];
        var steps = new List<StepTiming>(maxNewTokens + 1);
        int count = 0, vocab = _sig.Vocab;
        float[]? scratch = null;
        var dsPrefill = vision.DeepStackRows(prompt.InputIds, _sig);
        var dsDecode = _sig.DecoderDeepStack.Select(_ => OrtValue.FromBuffer(TensorMath.Buffer(_sig.EmbedsType, new float[h]), 1, 1, h)).ToArray();
        var idBuf = new long[1]; var posBuf = new long[3];
        using var idVal = OrtValue.FromArray(idBuf, 1, 1);
        using var posVal = OrtValue.FromArray(posBuf, 3, 1, 1);
        using var noFeatures = OrtValue.FromBuffer(TensorMath.Buffer(_sig.ImageFeatureType, []), 0, h);
        using var prefillPos = OrtValue.FromArray(prompt.PositionIds, 3, 1, s);
        using var step = new DecoderStep(model.Decoder, _sig, s + maxNewTokens, ForceIoBinding || model.Provider == "cuda");
        Span<IntPtr> ds = stackalloc IntPtr[dsPrefill.Length];
        IntPtr embeds = IntPtr.Zero, logits = IntPtr.Zero;
        long ortTicks;
        try
        {
            long stepStart = Stopwatch.GetTimestamp();
            using (var features = OrtValue.FromBuffer(TensorMath.Buffer(_sig.ImageFeatureType, vision.Rows), vision.Count, h))
            using (var ids = OrtValue.FromArray(prompt.InputIds, 1, s))
                embeds = Embed(ids.Ptr, features.Ptr, out ortTicks);
            if (!_sig.EmbeddingScattersImages) vision.ScatterInto(OrtNative.TensorData(embeds), _sig.EmbedsType, prompt.InputIds, h);
            for (int k = 0; k < ds.Length; k++) ds[k] = dsPrefill[k].Ptr;
            logits = step.Run(embeds, s, prefillPos.Ptr, ds);
            int rows = s;
            if (OnPrefillArgMax != null) OnPrefillArgMax(PerRowArgMax(logits, s));
            for (int k = 0; k < ds.Length; k++) ds[k] = dsDecode[k].Ptr;
            while (true)
            {
                double ortMicros = Stopwatch.GetElapsedTime(0, ortTicks + step.LastRunTicks).TotalMicroseconds;
                if (vocab <= 0) vocab = (int)OrtNative.ValueShape(logits).Dims[2];
                int n = Math.Min(tokenizer.TokenCount, vocab);
                Span<float> row;
                void* data = OrtNative.TensorData(logits);
                if (_sig.LogitsType == OrtElementType.Float) row = new Span<float>((float*)data + (long)(rows - 1) * vocab, n);
                else { scratch ??= new float[vocab]; row = scratch.AsSpan(0, n); TensorMath.Read(data, _sig.LogitsType, (long)(rows - 1) * vocab, row); }
                constraint?.Apply(row);
                int id = TensorMath.ArgMax(row);
                if (id < 0) throw new InvalidOperationException("no token can be chosen: every allowed logit is −∞ or NaN");
                DecoderStep.Release(logits); logits = IntPtr.Zero;
                DecoderStep.Release(embeds); embeds = IntPtr.Zero;
                steps.Add(new StepTiming(id, step.PastLength - rows, ortMicros, Stopwatch.GetElapsedTime(stepStart).TotalMicroseconds));
                if (id is EosId or EndOfTextId) return Result(StopReason.StopToken);
                tokens[count++] = id;
                constraint?.Accept(id);
                if (constraint?.IsComplete == true) return Result(StopReason.ConstraintComplete);
                if (count == maxNewTokens) return Result(StopReason.MaxTokens);
                ct.ThrowIfCancellationRequested();

                stepStart = Stopwatch.GetTimestamp();
                idBuf[0] = id;
                posBuf[0] = posBuf[1] = posBuf[2] = step.PastLength + prompt.RopeDelta;
                embeds = Embed(idVal.Ptr, noFeatures.Ptr, out ortTicks);
                logits = step.Run(embeds, 1, posVal.Ptr, ds);
                rows = 1;
            }
        }
        finally
        {
            DecoderStep.Release(logits);
            DecoderStep.Release(embeds);
            foreach (var v in dsPrefill.Concat(dsDecode)) v.Dispose();
        }

        GenerationResult Result(StopReason why) => new(tokens[..count], why, visionMs, steps);
    }

    private int[] PerRowArgMax(IntPtr logits, int rows)
    {
        int vocab = (int)OrtNative.ValueShape(logits).Dims[2];
        var row = new float[vocab];
        var r = new int[rows];
        for (int i = 0; i < rows; i++)
        {
            TensorMath.Read(OrtNative.TensorData(logits), _sig.LogitsType, (long)i * vocab, row);
            r[i] = TensorMath.ArgMax(row);
        }
        return r;
    }

    /// <summary>Runs the embedding graph (input_ids, and image_features when it scatters them itself).</summary>
    private IntPtr Embed(IntPtr ids, IntPtr features, out long ticks)
    {
        var emb = model.Embedding;
        IntPtr* inN = stackalloc IntPtr[2]; IntPtr* inV = stackalloc IntPtr[2];
        IntPtr outN = emb.NameUtf8(ModelSignature.InputsEmbeds), outV = IntPtr.Zero;
        inN[0] = emb.NameUtf8(ModelSignature.InputIds); inV[0] = ids;
        int nIn = 1;
        if (_sig.EmbeddingScattersImages) { inN[1] = emb.NameUtf8(ModelSignature.ImageFeatures); inV[1] = features; nIn = 2; }
        long t = Stopwatch.GetTimestamp();
        emb.RunRaw(inN, inV, nIn, &outN, 1, &outV);
        ticks = Stopwatch.GetTimestamp() - t;
        return outV;
    }
}
