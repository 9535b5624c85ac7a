using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using StreamWatch.Inference.Qwen3Vl;

namespace StreamWatch.Inference.Onnx;

/// <summary>
/// One generation's decoder state, run through an IoBinding: each step's present.* (bound to the
/// session's device, so on CUDA the KV cache never leaves it) become the next step's past_key_values.*;
/// one-row decode steps write their logits into one CPU buffer bound once; the attention mask is
/// a view of one pinned array of ones. Bindings persist between runs and are replaced by name, so a
/// decode step rebinds only what has a new shape: the mask, the past and the present tensors.
/// </summary>
internal sealed unsafe class KvCacheDecoder : IDisposable
{
    private readonly OnnxSession _dec;
    private readonly OrtIoBinding _binding;
    private readonly OrtMemoryInfo _kvMemory;
    private readonly bool _onDevice;
    private readonly string[] _deepStack, _past, _present;
    private readonly OrtValue[] _emptyPast;
    private readonly OrtValue[] _pastValues;   // what past_key_values.* are bound to: _emptyPast's or the last run's present.*
    private bool _ownsPast;
    private readonly OrtValue?[] _bound;   // embeds, position ids, DeepStack inputs as last bound
    private readonly long[] _mask;
    private readonly long[] _maskShape = [1, 0];
    private GCHandle _maskPin;
    private readonly TensorElementType _logitsType;
    private OrtValue? _stepLogits;      // [1, 1, vocab] from ORT's CPU allocator; every one-row step writes here while _stepBound
    private unsafe byte* _stepBytes;    // its data, looked up once
    private int _stepLength;
    private bool _stepBound;
    private OrtValue? _prefillLogits;   // [1, S, vocab], allocated by ORT for the prefill

    public KvCacheDecoder(OnnxSession dec, ModelSignature sig, int maxTotal)
    {
        _dec = dec;
        _deepStack = sig.DecoderDeepStack.ToArray();
        _past = Enumerable.Range(0, sig.Layers).SelectMany(l => new[] { ModelSignature.PastKey(l), ModelSignature.PastValue(l) }).ToArray();
        _present = Enumerable.Range(0, sig.Layers).SelectMany(l => new[] { ModelSignature.PresentKey(l), ModelSignature.PresentValue(l) }).ToArray();
        _logitsType = (TensorElementType)sig.LogitsType;
        _emptyPast = _past.Select(_ => OrtValue.CreateTensorValueWithData(OrtMemoryInfo.DefaultInstance, (TensorElementType)sig.KvType,
            [1, sig.KvHeads, 0, sig.HeadDim], IntPtr.Zero, 0)).ToArray();
        _pastValues = (OrtValue[])_emptyPast.Clone();
        _bound = new OrtValue?[2 + _deepStack.Length];
        _mask = new long[maxTotal];
        Array.Fill(_mask, 1L);
        _maskPin = GCHandle.Alloc(_mask, GCHandleType.Pinned);
        _binding = dec.Session.CreateIoBinding();
        _onDevice = dec.Provider == ExecutionProvider.Cuda;
        _kvMemory = _onDevice ? new OrtMemoryInfo("Cuda", OrtAllocatorType.DeviceAllocator, dec.DeviceId, OrtMemType.Default) : OrtMemoryInfo.DefaultInstance;
    }

    /// <summary>Stopwatch ticks the last <see cref="Run"/> spent inside ONNX Runtime.</summary>
    public long LastRunTicks { get; private set; }

    /// <summary>Tokens in the KV cache.</summary>
    public int PastLength { get; private set; }

    /// <summary>
    /// Runs the decoder over <paramref name="seqLen"/> new rows and advances the cache. Returns the logits
    /// [1, seqLen, vocab] (CPU memory), valid until the next call.
    /// </summary>
    public Span<byte> Run(OnnxTensor embeds, int seqLen, OnnxTensor positionIds, ReadOnlySpan<OnnxTensor> deepStack)
    {
        int total = PastLength + seqLen;
        if (total > _mask.Length) throw new InvalidOperationException($"sequence of {total} exceeds the {_mask.Length} this generation was sized for");
        _maskShape[1] = total;
        using var mask = OrtValue.CreateTensorValueWithData(OrtMemoryInfo.DefaultInstance, TensorElementType.Int64, _maskShape, _maskPin.AddrOfPinnedObject(), total * 8L);
        // A one-row step reuses its embeds, position and DeepStack tensors: rebinding them is skipped.
        Bind(0, ModelSignature.InputsEmbeds, embeds.Value);
        Bind(1, ModelSignature.PositionIds, positionIds.Value);
        for (int k = 0; k < _deepStack.Length; k++) Bind(2 + k, _deepStack[k], deepStack[k].Value);
        _binding.BindInput(ModelSignature.AttentionMask, mask);
        for (int i = 0; i < _past.Length; i++) _binding.BindInput(_past[i], _pastValues[i]);
        _prefillLogits?.Dispose(); _prefillLogits = null;
        bool oneRow = seqLen == 1 && _stepLogits != null;
        if (oneRow && !_stepBound) _binding.BindOutput(ModelSignature.Logits, _stepLogits!);
        else if (!oneRow) _binding.BindOutputToDevice(ModelSignature.Logits, OrtMemoryInfo.DefaultInstance);
        _stepBound = oneRow;
        // Each run leaves its allocated present.* in the binding; binding them to the device again lets ORT
        // allocate the next, one row longer (a kept output with the old shape would be an error).
        foreach (var p in _present) _binding.BindOutputToDevice(p, _kvMemory);

        long t = Stopwatch.GetTimestamp();
        IDisposableReadOnlyCollection<OrtValue> outs;
        try
        {
            _dec.Session.RunWithBinding(_dec.RunOptions, _binding);
            if (_onDevice) _binding.SynchronizeBoundOutputs();
            outs = _binding.GetOutputValues();
        }
        catch (OnnxRuntimeException e) { throw new OnnxException(e.Message, e); }
        LastRunTicks = Stopwatch.GetTimestamp() - t;

        // outs is not disposed: its present.* now are the past, and its logits are kept or released here.
        ReleasePast();
        for (int i = 0; i < _pastValues.Length; i++) _pastValues[i] = outs[1 + i];
        _ownsPast = true;
        PastLength = total;
        var logits = outs[0];
        if (oneRow)
        {
            logits.Dispose();     // a second handle on _stepLogits
            return new Span<byte>(_stepBytes, _stepLength);
        }
        _prefillLogits = logits;
        if (_stepLogits == null)
        {
            // native memory (a managed 600 KB buffer per generation would be a large-object allocation each time)
            _stepLogits = OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, _logitsType, [1, 1, logits.GetTensorTypeAndShape().Shape[2]]);
            var data = _stepLogits.GetTensorMutableRawData();
            _stepBytes = (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetReference(data));
            _stepLength = data.Length;
        }
        return logits.GetTensorMutableRawData();
    }

    private void Bind(int slot, string name, OrtValue value)
    {
        if (ReferenceEquals(_bound[slot], value)) return;
        _binding.BindInput(name, value);
        _bound[slot] = value;
    }

    private void ReleasePast()
    {
        if (_ownsPast) foreach (var v in _pastValues) v.Dispose();
        _ownsPast = false;
    }

    public void Dispose()
    {
        ReleasePast();
        foreach (var v in _emptyPast) v.Dispose();
        _prefillLogits?.Dispose();
        _stepLogits?.Dispose();
        _binding.Dispose();
        if (_onDevice) _kvMemory.Dispose();
        if (_maskPin.IsAllocated) _maskPin.Free();
    }
}
