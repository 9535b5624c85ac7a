using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StreamWatch.Config;
using StreamWatch.Core.Config;
using StreamWatch.Observability;

namespace StreamWatch.Runtime;

/// <summary>`streamwatch [run] [--config FILE]`: the daemon under the Generic Host (SIGTERM = graceful stop).</summary>
public static class DaemonCommand
{
    public static async Task<int> RunAsync(string? configFile)
    {
        var config = ConfigLoader.Read(configFile);
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
            o.UseUtcTimestamp = true;
        });
        builder.Logging.SetMinimumLevel(LogLevel.Information);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(20));
        builder.Services.AddStreamWatchOptions(config);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddStreamWatchObservability(sp => sp.GetRequiredService<AppOptions>().Observability); // endpoints up first, down last; sd_notify
        builder.Services.AddHostedService<Daemon>();
        using var host = builder.Build();
        // the host's own start-up validation (ValidateOnStart), run first so that a fault is exit 78, not a logged start failure
        try { host.Services.GetRequiredService<IStartupValidator>().Validate(); }
        catch (OptionsValidationException e) { throw new ConfigException(e.Failures.ToList()); }
        await host.RunAsync();
        return Environment.ExitCode;
    }
}
