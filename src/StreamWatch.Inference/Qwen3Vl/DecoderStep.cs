using System.Runtime.InteropServices;
using StreamWatch.Inference.Ort;

namespace StreamWatch.Inference.Qwen3Vl;

/// <summary>
/// One generation's decoder state: the KV cache (each step's present.* become the next step's
/// past_key_values.*), the attention mask, and the pre-built name/value arrays, so a step allocates
/// nothing managed. With IoBinding (CUDA) the KV outputs stay in device memory between steps.
/// </summary>
internal sealed unsafe class DecoderStep : IDisposable
{
    private const int Embeds = 0, Mask = 1, Pos = 2, DsStart = 3;
    private readonly OrtSession _dec;
    private readonly IntPtr[] _inNames, _inVals, _outNames, _outVals, _emptyPast;
    private readonly int _pastStart, _kvCount;
    private readonly long[] _mask;
    private GCHandle _maskPin;
    private readonly IntPtr _binding, _kvMemory;
    private readonly bool _ownsKvMemory, _onDevice;
    private bool _ownsPast;

    /// <param name="ioBinding">bind the KV outputs to the session's device (CUDA; CPU memory on a CPU session) instead of plain Run</param>
    public DecoderStep(OrtSession dec, ModelSignature sig, int maxTotal, bool ioBinding)
    {
        _dec = dec;
        int ds = sig.DecoderDeepStack.Count;
        _kvCount = 2 * sig.Layers;
        _pastStart = DsStart + ds;
        _inNames = new IntPtr[_pastStart + _kvCount]; _inVals = new IntPtr[_inNames.Length];
        _outNames = new IntPtr[1 + _kvCount]; _outVals = new IntPtr[_outNames.Length];
        _emptyPast = new IntPtr[_kvCount];
        _inNames[Embeds] = dec.NameUtf8(ModelSignature.InputsEmbeds);
        _inNames[Mask] = dec.NameUtf8(ModelSignature.AttentionMask);
        _inNames[Pos] = dec.NameUtf8(ModelSignature.PositionIds);
        for (int k = 0; k < ds; k++) _inNames[DsStart + k] = dec.NameUtf8(sig.DecoderDeepStack[k]);
        _outNames[0] = dec.NameUtf8(ModelSignature.Logits);
        long* empty = stackalloc long[] { 1, sig.KvHeads, 0, sig.HeadDim };
        for (int l = 0; l < sig.Layers; l++)
        {
            _inNames[_pastStart + 2 * l] = dec.NameUtf8(ModelSignature.PastKey(l));
            _inNames[_pastStart + 2 * l + 1] = dec.NameUtf8(ModelSignature.PastValue(l));
            _outNames[1 + 2 * l] = dec.NameUtf8(ModelSignature.PresentKey(l));
            _outNames[2 + 2 * l] = dec.NameUtf8(ModelSignature.PresentValue(l));
        }
        for (int i = 0; i < _kvCount; i++)
            _inVals[_pastStart + i] = _emptyPast[i] = OrtNative.CreateTensor(OrtRuntime.CpuMemory, null, 0, empty, 4, (int)sig.KvType);
        _mask = new long[maxTotal];
        Array.Fill(_mask, 1L);
        _maskPin = GCHandle.Alloc(_mask, GCHandleType.Pinned);
        if (ioBinding)
        {
            _binding = OrtNative.CreateIoBinding(dec.Ptr);
            _onDevice = dec.Provider == ExecutionProvider.Cuda;
            _ownsKvMemory = _onDevice;
            _kvMemory = _onDevice ? OrtNative.CreateCudaMemoryInfo(dec.DeviceId) : OrtRuntime.CpuMemory;
        }
    }

    /// <summary>Stopwatch ticks the last <see cref="Run"/> spent inside ORT.</summary>
    public long LastRunTicks { get; private set; }

    /// <summary>Tokens in the KV cache.</summary>
    public int PastLength { get; private set; }

    /// <summary>
    /// Runs the decoder over <paramref name="seqLen"/> new rows and advances the cache. Returns the
    /// logits value (CPU memory), which the caller releases with <see cref="Release"/>.
    /// </summary>
    public IntPtr Run(IntPtr embeds, int seqLen, IntPtr positionIds, ReadOnlySpan<IntPtr> deepStack)
    {
        int total = PastLength + seqLen;
        if (total > _mask.Length) throw new InvalidOperationException($"sequence of {total} exceeds the {_mask.Length} this generation was sized for");
        long* shape = stackalloc long[] { 1, total };
        IntPtr mask = OrtNative.CreateTensor(OrtRuntime.CpuMemory, (void*)_maskPin.AddrOfPinnedObject(), total * 8L, shape, 2, (int)OrtElementType.Int64);
        Array.Clear(_outVals);
        try
        {
            _inVals[Embeds] = embeds; _inVals[Mask] = mask; _inVals[Pos] = positionIds;
            deepStack.CopyTo(_inVals.AsSpan(DsStart));
            fixed (IntPtr* inN = _inNames) fixed (IntPtr* inV = _inVals) fixed (IntPtr* outN = _outNames) fixed (IntPtr* outV = _outVals)
            {
                long t = System.Diagnostics.Stopwatch.GetTimestamp();
                if (_binding == IntPtr.Zero) _dec.RunRaw(inN, inV, _inNames.Length, outN, _outNames.Length, outV);
                else
                {
                    OrtNative.ClearBindings(_binding);
                    for (int i = 0; i < _inNames.Length; i++) OrtNative.BindInput(_binding, inN[i], inV[i]);
                    OrtNative.BindOutputToDevice(_binding, outN[0], OrtRuntime.CpuMemory);
                    for (int i = 1; i < _outNames.Length; i++) OrtNative.BindOutputToDevice(_binding, outN[i], _kvMemory);
                    OrtNative.RunWithBinding(_dec.Ptr, _binding);
                    if (_onDevice) OrtNative.SynchronizeOutputs(_binding);
                    OrtNative.BoundOutputs(_binding, _outVals);
                }
                LastRunTicks = System.Diagnostics.Stopwatch.GetTimestamp() - t;
            }
        }
        catch
        {
            foreach (var v in _outVals) Release(v);
            throw;
        }
        finally { OrtNative.Release(96, mask); }
        if (_binding != IntPtr.Zero) OrtNative.ClearBindings(_binding);
        ReleasePast();
        Array.Copy(_outVals, 1, _inVals, _pastStart, _kvCount);
        _ownsPast = true;
        PastLength = total;
        return _outVals[0];
    }

    public static void Release(IntPtr value) => OrtNative.Release(96, value);

    private void ReleasePast()
    {
        if (_ownsPast) for (int i = 0; i < _kvCount; i++) Release(_inVals[_pastStart + i]);
        _ownsPast = false;
    }

    public void Dispose()
    {
        ReleasePast();
        foreach (var v in _emptyPast) Release(v);
        if (_binding != IntPtr.Zero) OrtNative.Release(135, _binding);
        if (_ownsKvMemory) OrtNative.Release(94, _kvMemory);
        if (_maskPin.IsAllocated) _maskPin.Free();
    }
}
