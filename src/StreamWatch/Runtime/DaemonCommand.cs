using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StreamWatch.Config;
using StreamWatch.Observability;

namespace StreamWatch.Runtime;

/// <summary>`streamwatch [run] [--config FILE]`: the daemon under the Generic Host (SIGTERM = graceful stop).</summary>
public static class DaemonCommand
{
    public static async Task<int> RunAsync(string? configFile)
    {
        var options = ConfigLoader.Load(configFile);
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
            o.UseUtcTimestamp = true;
        });
        RedactingLoggerProvider.WrapConsole(builder.Services); // no credentials in any log line
        builder.Logging.SetMinimumLevel(LogLevel.Information);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(20));
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddStreamWatchObservability(options.Observability); // endpoints up first, down last; sd_notify
        builder.Services.AddHostedService<Daemon>();
        using var host = builder.Build();
        await host.RunAsync();
        return Environment.ExitCode;
    }
}
