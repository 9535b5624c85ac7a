using System.Diagnostics;
using System.Runtime.InteropServices;
using StreamWatch.Inference.Onnx;

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
public sealed class Qwen3VlGenerator(Qwen3VlModel model, ITokenizer tokenizer)
{
    public const int ImagePadId = 151655, EosId = 151645, EndOfTextId = 151643;
    private readonly ModelSignature _sig = model.Signature;

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
        int count = 0;
        float[]? scratch = null;
        var dsPrefill = vision.DeepStackRows(prompt.InputIds, _sig);
        var dsDecode = _sig.DecoderDeepStack.Select(_ => OnnxTensor.FromBuffer(TensorMath.Buffer(_sig.EmbedsType, new float[h]), 1, 1, h)).ToArray();
        var idBuf = new long[1]; var posBuf = new long[3];
        using var idVal = OnnxTensor.FromArray(idBuf, 1, 1);
        using var posVal = OnnxTensor.FromArray(posBuf, 3, 1, 1);
        using var noFeatures = OnnxTensor.FromBuffer(TensorMath.Buffer(_sig.ImageFeatureType, []), 0, h);
        using var prefillPos = OnnxTensor.FromArray(prompt.PositionIds, 3, 1, s);
        using var step = new KvCacheDecoder(model.Decoder, _sig, s + maxNewTokens);
        using var stepEmbeds = OnnxTensor.FromBuffer(TensorMath.Buffer(_sig.EmbedsType, new float[h]), 1, 1, h);
        using var embedStep = model.Embedding.Bind(
            _sig.EmbeddingScattersImages ? [(ModelSignature.InputIds, idVal), (ModelSignature.ImageFeatures, noFeatures)] : [(ModelSignature.InputIds, idVal)],
            [(ModelSignature.InputsEmbeds, stepEmbeds)]);
        OnnxTensor? embeds = null;
        long ortTicks;
        try
        {
            long stepStart = Stopwatch.GetTimestamp();
            using (var features = OnnxTensor.FromBuffer(TensorMath.Buffer(_sig.ImageFeatureType, vision.Rows), vision.Count, h))
            using (var ids = OnnxTensor.FromArray(prompt.InputIds, 1, s))
                embeds = Embed(ids, features, out ortTicks);
            if (!_sig.EmbeddingScattersImages) vision.ScatterInto(embeds.Bytes, _sig.EmbedsType, prompt.InputIds, h);
            var logits = step.Run(embeds, s, prefillPos, dsPrefill);
            embeds.Dispose(); embeds = null;
            int rows = s, vocab = logits.Length / s / Size(_sig.LogitsType);
            OnPrefillArgMax?.Invoke(PerRowArgMax(logits, rows, vocab));
            while (true)
            {
                double ortMicros = Stopwatch.GetElapsedTime(0, ortTicks + step.LastRunTicks).TotalMicroseconds;
                int n = Math.Min(tokenizer.TokenCount, vocab);
                Span<float> row;
                if (_sig.LogitsType == OnnxElementType.Float) row = MemoryMarshal.Cast<byte, float>(logits).Slice((rows - 1) * vocab, n);
                else { scratch ??= new float[vocab]; row = scratch.AsSpan(0, n); TensorMath.Read(logits, _sig.LogitsType, (long)(rows - 1) * vocab, row); }
                constraint?.Apply(row);
                int id = TensorMath.ArgMax(row);
                if (id < 0) throw new InvalidOperationException("no token can be chosen: every allowed logit is −∞ or NaN");
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
                ortTicks = embedStep.Run();
                logits = step.Run(stepEmbeds, 1, posVal, dsDecode);
                rows = 1;
            }
        }
        finally
        {
            embeds?.Dispose();
            foreach (var v in dsPrefill.Concat(dsDecode)) v.Dispose();
        }

        GenerationResult Result(StopReason why) => new(tokens[..count], why, visionMs, steps);
    }

    private static int Size(OnnxElementType t) => t == OnnxElementType.Float ? 4 : 2;

    private int[] PerRowArgMax(ReadOnlySpan<byte> logits, int rows, int vocab)
    {
        var row = new float[vocab];
        var r = new int[rows];
        for (int i = 0; i < rows; i++)
        {
            TensorMath.Read(logits, _sig.LogitsType, (long)i * vocab, row);
            r[i] = TensorMath.ArgMax(row);
        }
        return r;
    }

    /// <summary>Runs the embedding graph over the prompt (input_ids, and image_features when it scatters them itself).</summary>
    private OnnxTensor Embed(OnnxTensor ids, OnnxTensor features, out long ticks)
    {
        long t = Stopwatch.GetTimestamp();
        var r = _sig.EmbeddingScattersImages
            ? model.Embedding.Run(EmbedInputsWithFeatures, [ids, features], EmbedOutputs)
            : model.Embedding.Run(EmbedInputs, [ids], EmbedOutputs);
        ticks = Stopwatch.GetTimestamp() - t;
        return r[0];
    }

    private static readonly string[] EmbedInputs = [ModelSignature.InputIds], EmbedOutputs = [ModelSignature.InputsEmbeds];
    private static readonly string[] EmbedInputsWithFeatures = [ModelSignature.InputIds, ModelSignature.ImageFeatures];
}
