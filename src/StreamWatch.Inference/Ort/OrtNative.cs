using System.Runtime.InteropServices;

namespace StreamWatch.Inference.Ort;

/// <summary>An ONNX Runtime call failed; carries the OrtStatus code and message.</summary>
public sealed class OrtException(int code, string message) : Exception(message)
{
    public int Code { get; } = code;
}

/// <summary>
/// The ORT C API function table (OrtGetApiBase → GetApi → OrtApi*), one per process. Slots are the
/// indices of ../shared/specs/ortapi-index-v29.tsv; each call casts the slot to a
/// <c>delegate* unmanaged</c> with the C argument list.
/// </summary>
internal static unsafe class OrtNative
{
    public const uint ApiVersion = 22;
    private static readonly object Gate = new();
    private static void** _api;
    private static string? _path;
    public static string Version { get; private set; } = "";

    public static void Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"ONNX Runtime library not found: {path} (run scripts/setup.sh or set Ort:LibraryPath)", path);
        lock (Gate)
        {
            if (_api != null)
            {
                if (_path != Path.GetFullPath(path))
                    throw new InvalidOperationException($"ONNX Runtime already loaded from {_path}; cannot also load {path}");
                return;
            }
            var lib = NativeLibrary.Load(path);
            var getBase = (delegate* unmanaged<void**>)NativeLibrary.GetExport(lib, "OrtGetApiBase");
            void** apiBase = getBase();
            var getApi = (delegate* unmanaged<uint, void**>)apiBase[0];
            var getVersion = (delegate* unmanaged<byte*>)apiBase[1];
            Version = Marshal.PtrToStringUTF8((IntPtr)getVersion()) ?? "";
            void** api = getApi(ApiVersion);
            if (api == null) throw new InvalidOperationException($"ONNX Runtime {Version} at {path} does not provide API version {ApiVersion}");
            _path = Path.GetFullPath(path);
            _api = api;
        }
    }

    private static void* Slot(int i) => _api != null ? _api[i] : throw new InvalidOperationException("ONNX Runtime is not loaded");

    public static void Check(IntPtr status)
    {
        if (status == IntPtr.Zero) return;
        int code = ((delegate* unmanaged<IntPtr, int>)Slot(1))(status);
        string msg = Marshal.PtrToStringUTF8(((delegate* unmanaged<IntPtr, IntPtr>)Slot(2))(status)) ?? "";
        ((delegate* unmanaged<IntPtr, void>)Slot(93))(status);
        throw new OrtException(code, msg);
    }

    /// <summary>Release*(ptr) for the slot given (92 env, 94 memory info, 95 session, 96 value, ...).</summary>
    public static void Release(int slot, IntPtr p) { if (p != IntPtr.Zero) ((delegate* unmanaged<IntPtr, void>)Slot(slot))(p); }

    public static IntPtr CreateEnv(int logLevel, string logId)
    {
        IntPtr env;
        fixed (byte* pid = Utf8(logId)) Check(((delegate* unmanaged<int, byte*, IntPtr*, IntPtr>)Slot(3))(logLevel, pid, &env));
        return env;
    }

    public static IntPtr CreateSessionOptions() { IntPtr so; Check(((delegate* unmanaged<IntPtr*, IntPtr>)Slot(10))(&so)); return so; }
    public static void SetIntraOpThreads(IntPtr so, int n) => Check(((delegate* unmanaged<IntPtr, int, IntPtr>)Slot(24))(so, n));
    public static void SetInterOpThreads(IntPtr so, int n) => Check(((delegate* unmanaged<IntPtr, int, IntPtr>)Slot(25))(so, n));
    public static void SetGraphOptimization(IntPtr so, int level) => Check(((delegate* unmanaged<IntPtr, int, IntPtr>)Slot(23))(so, level));
    public static void AddConfigEntry(IntPtr so, string key, string value)
    {
        fixed (byte* k = Utf8(key)) fixed (byte* v = Utf8(value))
            Check(((delegate* unmanaged<IntPtr, byte*, byte*, IntPtr>)Slot(130))(so, k, v));
    }

    public static void AppendCuda(IntPtr so, int deviceId, long memLimit)
    {
        IntPtr opts;
        Check(((delegate* unmanaged<IntPtr*, IntPtr>)Slot(205))(&opts));
        try
        {
            var keys = new List<string> { "device_id" }; var vals = new List<string> { deviceId.ToString() };
            if (memLimit > 0) { keys.Add("gpu_mem_limit"); vals.Add(memLimit.ToString()); }
            var kp = keys.Select(Marshal.StringToCoTaskMemUTF8).ToArray();
            var vp = vals.Select(Marshal.StringToCoTaskMemUTF8).ToArray();
            try
            {
                fixed (IntPtr* k = kp) fixed (IntPtr* v = vp)
                    Check(((delegate* unmanaged<IntPtr, IntPtr*, IntPtr*, nuint, IntPtr>)Slot(206))(opts, k, v, (nuint)kp.Length));
                Check(((delegate* unmanaged<IntPtr, IntPtr, IntPtr>)Slot(204))(so, opts));
            }
            finally { foreach (var p in kp.Concat(vp)) Marshal.FreeCoTaskMem(p); }
        }
        finally { Release(208, opts); }
    }

    public static string[] AvailableProviders()
    {
        byte** list; int n;
        Check(((delegate* unmanaged<byte***, int*, IntPtr>)Slot(125))(&list, &n));
        try
        {
            var r = new string[n];
            for (int i = 0; i < n; i++) r[i] = Marshal.PtrToStringUTF8((IntPtr)list[i]) ?? "";
            return r;
        }
        finally { Check(((delegate* unmanaged<byte**, int, IntPtr>)Slot(126))(list, n)); }
    }

    public static IntPtr CreateSession(IntPtr env, string path, IntPtr so)
    {
        IntPtr s;
        fixed (byte* p = Utf8(path)) Check(((delegate* unmanaged<IntPtr, byte*, IntPtr, IntPtr*, IntPtr>)Slot(7))(env, p, so, &s));
        return s;
    }

    public static IntPtr CreateSessionFromArray(IntPtr env, ReadOnlySpan<byte> model, IntPtr so)
    {
        IntPtr s;
        fixed (byte* p = model) Check(((delegate* unmanaged<IntPtr, byte*, nuint, IntPtr, IntPtr*, IntPtr>)Slot(8))(env, p, (nuint)model.Length, so, &s));
        return s;
    }

    public static int IoCount(IntPtr session, bool output)
    {
        nuint n; Check(((delegate* unmanaged<IntPtr, nuint*, IntPtr>)Slot(output ? 31 : 30))(session, &n)); return (int)n;
    }

    public static string IoName(IntPtr session, bool output, int i)
    {
        IntPtr alloc = DefaultAllocator(); byte* name;
        Check(((delegate* unmanaged<IntPtr, nuint, IntPtr, byte**, IntPtr>)Slot(output ? 37 : 36))(session, (nuint)i, alloc, &name));
        try { return Marshal.PtrToStringUTF8((IntPtr)name) ?? ""; }
        finally { AllocatorFree(alloc, name); }
    }

    /// <summary>Element type, dims (−1 where symbolic) and symbolic names of input/output i (a non-tensor gives type 0).</summary>
    public static (int Type, long[] Dims, string[] Symbolic) IoType(IntPtr session, bool output, int i)
    {
        IntPtr ti;
        Check(((delegate* unmanaged<IntPtr, nuint, IntPtr*, IntPtr>)Slot(output ? 34 : 33))(session, (nuint)i, &ti));
        try
        {
            IntPtr info;
            Check(((delegate* unmanaged<IntPtr, IntPtr*, IntPtr>)Slot(55))(ti, &info));
            if (info == IntPtr.Zero) return (0, [], []);
            return ShapeOf(info);
        }
        finally { Release(98, ti); }
    }

    public static (int Type, long[] Dims, string[] Symbolic) ShapeOf(IntPtr info)
    {
        int type; nuint n;
        Check(((delegate* unmanaged<IntPtr, int*, IntPtr>)Slot(60))(info, &type));
        Check(((delegate* unmanaged<IntPtr, nuint*, IntPtr>)Slot(61))(info, &n));
        var dims = new long[(int)n]; var sym = new IntPtr[(int)n]; var names = new string[(int)n];
        fixed (long* d = dims) Check(((delegate* unmanaged<IntPtr, long*, nuint, IntPtr>)Slot(62))(info, d, n));
        fixed (IntPtr* s = sym) Check(((delegate* unmanaged<IntPtr, IntPtr*, nuint, IntPtr>)Slot(63))(info, s, n));
        for (int i = 0; i < names.Length; i++) names[i] = sym[i] == IntPtr.Zero ? "" : Marshal.PtrToStringUTF8(sym[i]) ?? "";
        return (type, dims, names);
    }

    public static (int Type, long[] Dims) ValueShape(IntPtr value)
    {
        IntPtr info;
        Check(((delegate* unmanaged<IntPtr, IntPtr*, IntPtr>)Slot(65))(value, &info));
        try { var (t, d, _) = ShapeOf(info); return (t, d); }
        finally { Release(99, info); }
    }

    public static IntPtr DefaultAllocator() { IntPtr a; Check(((delegate* unmanaged<IntPtr*, IntPtr>)Slot(78))(&a)); return a; }
    public static void AllocatorFree(IntPtr alloc, void* p) => Check(((delegate* unmanaged<IntPtr, void*, IntPtr>)Slot(76))(alloc, p));

    public static IntPtr CreateCpuMemoryInfo() { IntPtr m; Check(((delegate* unmanaged<int, int, IntPtr*, IntPtr>)Slot(69))(1, 0, &m)); return m; }
    public static IntPtr CreateCudaMemoryInfo(int deviceId)
    {
        IntPtr m;
        fixed (byte* n = "Cuda\0"u8) Check(((delegate* unmanaged<byte*, int, int, int, IntPtr*, IntPtr>)Slot(68))(n, 1, deviceId, 0, &m));
        return m;
    }

    /// <summary>A tensor over caller-owned memory (no copy): keep it alive and fixed until the value is released.</summary>
    public static IntPtr CreateTensor(IntPtr memInfo, void* data, long bytes, long* shape, int rank, int type)
    {
        IntPtr v;
        Check(((delegate* unmanaged<IntPtr, void*, nuint, long*, nuint, int, IntPtr*, IntPtr>)Slot(49))(memInfo, data, (nuint)bytes, shape, (nuint)rank, type, &v));
        return v;
    }

    public static void* TensorData(IntPtr value) { void* p; Check(((delegate* unmanaged<IntPtr, void**, IntPtr>)Slot(51))(value, &p)); return p; }

    public static void Run(IntPtr session, IntPtr* inNames, IntPtr* inputs, int nIn, IntPtr* outNames, int nOut, IntPtr* outputs) =>
        Check(((delegate* unmanaged<IntPtr, IntPtr, IntPtr*, IntPtr*, nuint, IntPtr*, nuint, IntPtr*, IntPtr>)Slot(9))(
            session, IntPtr.Zero, inNames, inputs, (nuint)nIn, outNames, (nuint)nOut, outputs));

    public static IntPtr CreateIoBinding(IntPtr session) { IntPtr b; Check(((delegate* unmanaged<IntPtr, IntPtr*, IntPtr>)Slot(134))(session, &b)); return b; }
    public static void BindInput(IntPtr b, IntPtr name, IntPtr value) => Check(((delegate* unmanaged<IntPtr, IntPtr, IntPtr, IntPtr>)Slot(136))(b, name, value));
    public static void BindOutputToDevice(IntPtr b, IntPtr name, IntPtr memInfo) => Check(((delegate* unmanaged<IntPtr, IntPtr, IntPtr, IntPtr>)Slot(138))(b, name, memInfo));
    public static void RunWithBinding(IntPtr session, IntPtr b) => Check(((delegate* unmanaged<IntPtr, IntPtr, IntPtr, IntPtr>)Slot(133))(session, IntPtr.Zero, b));
    public static void SynchronizeOutputs(IntPtr b) => Check(((delegate* unmanaged<IntPtr, IntPtr>)Slot(203))(b));
    public static void ClearBindings(IntPtr b) { ((delegate* unmanaged<IntPtr, void>)Slot(141))(b); ((delegate* unmanaged<IntPtr, void>)Slot(142))(b); }

    /// <summary>Copies the bound output values (in binding order) into <paramref name="outputs"/>; the caller releases each.</summary>
    public static void BoundOutputs(IntPtr b, Span<IntPtr> outputs)
    {
        IntPtr alloc = DefaultAllocator(); IntPtr* arr; nuint n;
        Check(((delegate* unmanaged<IntPtr, IntPtr, IntPtr**, nuint*, IntPtr>)Slot(140))(b, alloc, &arr, &n));
        try
        {
            if ((int)n != outputs.Length) throw new InvalidOperationException($"IoBinding returned {n} outputs, expected {outputs.Length}");
            for (int i = 0; i < outputs.Length; i++) outputs[i] = arr[i];
        }
        finally { if (arr != null) AllocatorFree(alloc, arr); }
    }

    public static byte[] Utf8(string s) { var b = new byte[System.Text.Encoding.UTF8.GetByteCount(s) + 1]; System.Text.Encoding.UTF8.GetBytes(s, b); return b; }
}
