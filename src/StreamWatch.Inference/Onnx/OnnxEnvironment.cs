using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.ML.OnnxRuntime;

namespace StreamWatch.Inference.Onnx;

/// <summary>
/// ONNX Runtime (Microsoft.ML.OnnxRuntime, the process-wide OrtEnv) opening sessions with the configured
/// execution provider: CUDA when asked and it loads, else CPU with one log line giving the loader's reason.
/// </summary>
public sealed class OnnxEnvironment
{
    private readonly ILogger _log;
    private string? _cudaUnavailable;

    public OnnxEnvironment(ILogger? log = null)
    {
        _log = log ?? NullLogger.Instance;
        var env = OrtEnv.Instance();
        Version = env.GetVersionString();
        AvailableProviders = env.GetAvailableProviders();
    }

    public string Version { get; }
    /// <summary>Providers compiled into the library (lists CUDA even where its libraries cannot load).</summary>
    public IReadOnlyList<string> AvailableProviders { get; }
    /// <summary>Why CUDA was not used although asked for (null when it was, or was not asked).</summary>
    public string? CudaUnavailableReason => _cudaUnavailable;

    public OnnxSession OpenSession(string modelPath, OnnxOptions options) => Open(options, so => new InferenceSession(modelPath, so));

    public OnnxSession OpenSession(byte[] model, OnnxOptions options) => Open(options, so => new InferenceSession(model, so));

    private OnnxSession Open(OnnxOptions options, Func<SessionOptions, InferenceSession> create)
    {
        var so = NewOptions(options);
        try
        {
            bool cuda = options.WantsCuda && _cudaUnavailable == null && TryAppendCuda(so, options);
            return new OnnxSession(create(so), so, cuda ? ExecutionProvider.Cuda : ExecutionProvider.Cpu, cuda ? options.DeviceId : 0);
        }
        catch (OnnxRuntimeException e) { so.Dispose(); throw new OnnxException(e.Message, e); }
        catch { so.Dispose(); throw; }
    }

    /// <summary>
    /// Appends the CUDA provider. Creating its options loads the provider library, so a missing CUDA
    /// or cuDNN library fails there with the loader's message, which is logged once.
    /// </summary>
    private bool TryAppendCuda(SessionOptions so, OnnxOptions o)
    {
        try
        {
            using var cuda = new OrtCUDAProviderOptions();
            var keys = new Dictionary<string, string> { ["device_id"] = o.DeviceId.ToString() };
            if (o.GpuMemLimitBytes > 0) keys["gpu_mem_limit"] = o.GpuMemLimitBytes.ToString();
            cuda.UpdateOptions(keys);
            so.AppendExecutionProvider_CUDA(cuda);
            return true;
        }
        catch (Exception e) when (e is OnnxRuntimeException or EntryPointNotFoundException or DllNotFoundException)
        {
            _cudaUnavailable = e.Message.Trim();
            _log.LogWarning("ONNX Runtime: CUDA requested but unavailable, using CPU instead: {Reason}", _cudaUnavailable);
            return false;
        }
    }

    private static SessionOptions NewOptions(OnnxOptions o)
    {
        var so = new SessionOptions { InterOpNumThreads = 1, GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
        if (o.IntraOpThreads > 0) so.IntraOpNumThreads = o.IntraOpThreads;
        so.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        so.AddSessionConfigEntry("session.inter_op.allow_spinning", "0");
        return so;
    }
}
