using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using StreamWatch.Ingest;
using StreamWatch.Store.Postgres;

namespace StreamWatch.Runtime;

/// <summary>
/// Wraps a logger provider so that every line (message and exception text) passes
/// <see cref="UrlRedactor"/> and <see cref="PgConnection.Redact"/> on its way out: no call site can log a URL's credentials.
/// </summary>
public sealed class RedactingLoggerProvider(ILoggerProvider inner) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new Redacting(inner.CreateLogger(categoryName));

    public void Dispose() => inner.Dispose();

    /// <summary>Replaces the console provider that <c>AddSimpleConsole</c> registered with a redacting wrapper around it.</summary>
    public static void WrapConsole(IServiceCollection services)
    {
        foreach (var d in services.Where(d => d.ServiceType == typeof(ILoggerProvider) && d.ImplementationType == typeof(ConsoleLoggerProvider)).ToList())
            services.Remove(d);
        services.AddSingleton<ConsoleLoggerProvider>();
        services.AddSingleton<ILoggerProvider>(sp => new RedactingLoggerProvider(sp.GetRequiredService<ConsoleLoggerProvider>()));
    }

    /// <summary>URL credentials and connection-string passwords (Store:ConnectionString) masked.</summary>
    public static string Redact(string text) => PgConnection.Redact(UrlRedactor.Redact(text));

    private sealed class Redacting(ILogger inner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => inner.BeginScope(state);
        public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel)) return;
            var line = Redact(formatter(state, exception));
            if (exception != null) line += Environment.NewLine + Redact(exception.ToString());
            inner.Log(logLevel, eventId, line, null, static (s, _) => s);
        }
    }
}
