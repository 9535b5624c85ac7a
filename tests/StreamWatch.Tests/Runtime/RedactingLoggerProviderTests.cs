using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using StreamWatch.Runtime;

namespace StreamWatch.Tests.Runtime;

public class RedactingLoggerProviderTests
{
    private sealed class Capture : ILoggerProvider, ILogger
    {
        public List<string> Lines { get; } = new();
        public List<Exception?> Exceptions { get; } = new();
        public ILogger CreateLogger(string categoryName) => this;
        public void Dispose() { }
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel l, EventId id, TState s, Exception? e, Func<TState, Exception?, string> f)
        { Lines.Add(f(s, e)); Exceptions.Add(e); }
    }

    [Fact]
    public void MessagesAndExceptionsLoseTheirCredentials()
    {
        var inner = new Capture();
        var log = new RedactingLoggerProvider(inner).CreateLogger("t");
        log.LogWarning("camera {Camera}: {Url}", "door", "rtsp://cam/x?user=admin&password=hunter2");
        log.LogError(new InvalidOperationException("cannot open rtsp://admin:hunter2@cam/x"), "failed");
        Assert.Equal("camera door: rtsp://cam/x?user=admin&password=***", inner.Lines[0]);
        Assert.StartsWith("failed" + Environment.NewLine + "System.InvalidOperationException: cannot open rtsp://***@cam/x", inner.Lines[1]);
        Assert.DoesNotContain(inner.Lines, l => l.Contains("hunter2"));
        Assert.All(inner.Exceptions, Assert.Null); // the exception goes out only as redacted text
    }

    [Fact]
    public void TheDaemonsConsoleProviderIsWrapped()
    {
        var services = new ServiceCollection();
        services.AddLogging(b => b.AddSimpleConsole());
        RedactingLoggerProvider.WrapConsole(services);
        using var sp = services.BuildServiceProvider();
        Assert.IsType<RedactingLoggerProvider>(Assert.Single(sp.GetServices<ILoggerProvider>()));
    }
}
