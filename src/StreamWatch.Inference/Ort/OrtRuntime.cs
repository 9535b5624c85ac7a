using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace StreamWatch.Inference.Ort;

/// <summary>
/// The loaded ONNX Runtime library and its environment. Opens sessions with the configured
/// execution provider: CUDA when asked and available, else CPU with a log line saying why.
/// </summary>
public sealed class OrtRuntime : IDisposable
{
    private static IntPtr _cpuMemory;
    private readonly OrtEnvHandle _env;
    private readonly ILogger _log;
    private string? _cudaUnavailable;

    public OrtRuntime(OrtOptions options, ILogger? log = null)
    {
        _log = log ?? NullLogger.Instance;
        LibraryPath = options.ResolveLibraryPath();
        OrtNative.Load(LibraryPath);
        if (_cpuMemory == IntPtr.Zero) _cpuMemory = OrtNative.CreateCpuMemoryInfo(); // one per process, never released
        _env = new OrtEnvHandle(OrtNative.CreateEnv(3, "streamwatch")); // 3 = error
        Version = OrtNative.Version;
        AvailableProviders = OrtNative.AvailableProviders();
    }

    internal static IntPtr CpuMemory => _cpuMemory != IntPtr.Zero ? _cpuMemory : throw new InvalidOperationException("ONNX Runtime is not loaded");
    public string LibraryPath { get; }
    public string Version { get; }
    /// <summary>Providers compiled into the library (e.g. CUDAExecutionProvider, CPUExecutionProvider).</summary>
    public IReadOnlyList<string> AvailableProviders { get; }

    public OrtSession OpenSession(string modelPath, OrtOptions options) =>
        Open(options, so => OrtNative.CreateSession(_env.Ptr, modelPath, so), modelPath);

    public OrtSession OpenSession(byte[] model, OrtOptions options) =>
        Open(options, so => OrtNative.CreateSessionFromArray(_env.Ptr, model, so), "(in-memory model)");

    private OrtSession Open(OrtOptions options, Func<IntPtr, IntPtr> create, string what)
    {
        if (options.Provider == ExecutionProvider.Cuda && _cudaUnavailable == null)
        {
            using var so = NewOptions(options);
            string? why = null;
            if (!AvailableProviders.Contains("CUDAExecutionProvider"))
                why = $"this ONNX Runtime build has no CUDA provider (available: {string.Join(", ", AvailableProviders)})";
            else
            {
                try { OrtNative.AppendCuda(so.Ptr, options.DeviceId, options.GpuMemLimitBytes); }
                catch (OrtException e) { why = e.Message.Trim(); }
                if (why == null) return new OrtSession(new OrtSessionHandle(create(so.Ptr)), ExecutionProvider.Cuda, options.DeviceId);
            }
            _cudaUnavailable = why;
            _log.LogWarning("ONNX Runtime: CUDA requested but unavailable, using CPU instead: {Reason}", why);
        }
        using var cpu = NewOptions(options);
        return new OrtSession(new OrtSessionHandle(create(cpu.Ptr)), ExecutionProvider.Cpu, 0);
    }

    /// <summary>Why CUDA was not used although asked for (null when it was, or was not asked).</summary>
    public string? CudaUnavailableReason => _cudaUnavailable;

    private static OrtSessionOptionsHandle NewOptions(OrtOptions o)
    {
        var so = new OrtSessionOptionsHandle(OrtNative.CreateSessionOptions());
        if (o.IntraOpThreads > 0) OrtNative.SetIntraOpThreads(so.Ptr, o.IntraOpThreads);
        OrtNative.SetInterOpThreads(so.Ptr, 1);
        OrtNative.SetGraphOptimization(so.Ptr, 99);
        OrtNative.AddConfigEntry(so.Ptr, "session.intra_op.allow_spinning", "0");
        OrtNative.AddConfigEntry(so.Ptr, "session.inter_op.allow_spinning", "0");
        return so;
    }

    public void Dispose() => _env.Dispose();
}
