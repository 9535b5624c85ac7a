using System.Runtime.InteropServices;

namespace StreamWatch.Inference.Ort;

/// <summary>A graph input or output: name, element type, dims (−1 where symbolic) and the symbolic names.</summary>
public sealed record TensorInfo(string Name, OrtElementType ElementType, long[] Dims, string[] SymbolicDims)
{
    public int Rank => Dims.Length;
    public override string ToString() =>
        $"{Name} {ElementType} [{string.Join(",", Dims.Select((d, i) => d >= 0 ? d.ToString() : SymbolicDims[i] is { Length: > 0 } s ? s : "?"))}]";
}

/// <summary>An inference session: its inputs/outputs and Run. Thread-safe for concurrent Run calls.</summary>
public sealed unsafe class OrtSession : IDisposable
{
    private readonly OrtSessionHandle _handle;
    private readonly Dictionary<string, IntPtr> _names = new();

    internal OrtSession(OrtSessionHandle handle, ExecutionProvider provider, int deviceId)
    {
        _handle = handle; Provider = provider; DeviceId = deviceId;
        Inputs = Describe(false); Outputs = Describe(true);
        foreach (var t in Inputs.Concat(Outputs)) _names.TryAdd(t.Name, Marshal.StringToCoTaskMemUTF8(t.Name));
    }

    /// <summary>Where this session actually runs (CPU when CUDA was asked for but is unavailable).</summary>
    public ExecutionProvider Provider { get; }
    public int DeviceId { get; }
    public IReadOnlyList<TensorInfo> Inputs { get; }
    public IReadOnlyList<TensorInfo> Outputs { get; }
    internal IntPtr Ptr => _handle.Ptr;

    public TensorInfo? Input(string name) => Inputs.FirstOrDefault(t => t.Name == name);
    public TensorInfo? Output(string name) => Outputs.FirstOrDefault(t => t.Name == name);

    /// <summary>The UTF-8 name of an input or output, valid for the session's lifetime.</summary>
    internal IntPtr NameUtf8(string name) =>
        _names.TryGetValue(name, out var p) ? p : throw new ArgumentException($"the model has no input or output named '{name}'");

    private TensorInfo[] Describe(bool output)
    {
        int n = OrtNative.IoCount(Ptr, output);
        var r = new TensorInfo[n];
        for (int i = 0; i < n; i++)
        {
            var (type, dims, sym) = OrtNative.IoType(Ptr, output, i);
            r[i] = new TensorInfo(OrtNative.IoName(Ptr, output, i), (OrtElementType)type, dims, sym);
        }
        return r;
    }

    /// <summary>Runs the graph; ORT allocates the outputs (CPU), which the caller disposes.</summary>
    public OrtValue[] Run(IReadOnlyList<string> inputNames, IReadOnlyList<OrtValue> inputs, IReadOnlyList<string> outputNames)
    {
        if (inputNames.Count != inputs.Count) throw new ArgumentException("one input value per input name");
        var inN = inputNames.Select(NameUtf8).ToArray();
        var inV = inputs.Select(v => v.Ptr).ToArray();
        var outN = outputNames.Select(NameUtf8).ToArray();
        var outV = new IntPtr[outN.Length];
        fixed (IntPtr* a = inN) fixed (IntPtr* b = inV) fixed (IntPtr* c = outN) fixed (IntPtr* d = outV)
            RunRaw(a, b, inN.Length, c, outN.Length, d);
        return outV.Select(p => new OrtValue(p)).ToArray();
    }

    /// <summary>Allocation-free Run over raw name and value pointers (null output slots are allocated by ORT).</summary>
    internal void RunRaw(IntPtr* inNames, IntPtr* inputs, int nIn, IntPtr* outNames, int nOut, IntPtr* outputs) =>
        OrtNative.Run(Ptr, inNames, inputs, nIn, outNames, nOut, outputs);

    public void Dispose()
    {
        _handle.Dispose();
        foreach (var p in _names.Values) Marshal.FreeCoTaskMem(p);
        _names.Clear();
    }
}
