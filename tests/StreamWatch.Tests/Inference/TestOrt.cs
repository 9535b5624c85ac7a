using Microsoft.Extensions.Logging;
using StreamWatch.Inference.Ort;

namespace StreamWatch.Tests.Inference;

/// <summary>The real native/libonnxruntime.so.1 (ORT 1.29 CPU build), loaded once for the test run.</summary>
internal static class TestOrt
{
    public static OrtOptions Cpu => new() { Provider = ExecutionProvider.Cpu, IntraOpThreads = 1 };
    private static readonly Lazy<OrtRuntime> Shared = new(() => new OrtRuntime(Cpu));
    public static OrtRuntime Runtime => Shared.Value;
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
