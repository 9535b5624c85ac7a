using Microsoft.Extensions.Logging;
using StreamWatch.Inference.Onnx;

namespace StreamWatch.Tests.Inference;

/// <summary>ONNX Runtime (Microsoft.ML.OnnxRuntime 1.32, CPU provider), shared by the tests.</summary>
internal static class TestOrt
{
    public static OnnxOptions Cpu => new() { Provider = ExecutionProvider.Cpu, IntraOpThreads = 1 };
    private static readonly Lazy<OnnxEnvironment> Shared = new(() => new OnnxEnvironment());
    public static OnnxEnvironment Runtime => Shared.Value;
    /// <summary>Whether the CUDA 13 libraries the provider needs load here (not on the CPU-only build machines).</summary>
    public static bool CudaLibrariesPresent =>
        new[] { "libcudart.so.13", "libcublas.so.13", "libcublasLt.so.13" }.All(l => System.Runtime.InteropServices.NativeLibrary.TryLoad(l, out _));
}

/// <summary>An ILogger that keeps what was logged, for asserting on log lines.</summary>
internal sealed class ListLogger : ILogger
{
    public List<(LogLevel Level, string Message)> Lines { get; } = new();
    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
    public bool IsEnabled(LogLevel logLevel) => true;
    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (Lines) Lines.Add((logLevel, formatter(state, exception)));
    }
}
