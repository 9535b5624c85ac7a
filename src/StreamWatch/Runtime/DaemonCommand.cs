using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StreamWatch.Cluster;
using StreamWatch.Cluster.Etcd;
using StreamWatch.Config;
using StreamWatch.Core.Config;
using StreamWatch.Observability;
using StreamWatch.Observability.Http;
using StreamWatch.Store;

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
        RedactingLoggerProvider.WrapConsole(builder.Services); // no credentials in any log line
        builder.Logging.SetMinimumLevel(LogLevel.Information);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(20));
        builder.Services.AddStreamWatchOptions(config);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddStreamWatchObservability(sp => sp.GetRequiredService<AppOptions>().Observability); // endpoints up first, down last; sd_notify
        builder.Services.AddSingleton<OpenedFirst>();
        builder.Services.AddHostedService(sp => ActivatorUtilities.CreateInstance<Daemon>(sp, sp.GetRequiredService<OpenedFirst>().Arguments));
        using var host = builder.Build();
        // the host's own start-up validation (ValidateOnStart), run first so that a fault is exit 78, not a logged start failure
        try { host.Services.GetRequiredService<IStartupValidator>().Validate(); }
        catch (OptionsValidationException e) { throw new ConfigException(e.Failures.ToList()); }
        var options = host.Services.GetRequiredService<AppOptions>();
        if (options.Observability.Enabled && ObservabilityServer.CannotListen(options.Observability) is { } why)
            throw new ConfigException([$"{ObservabilityOptions.Section}:Listen: {why}"]);
        if (NoCamerasHint(options, configFile) is { } hint)
            host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("streamwatch").LogWarning("{Hint}", hint);
        // what may be unreachable opens before the host starts: exit 69 with one clear line, no start-failure stack trace
        using var store = options.Store.Enabled ? await EventStores.OpenAsync(options.Store, options.Output.Resolve) : null;
        await using var coordinator = await JoinClusterAsync(host.Services, options);
        var first = host.Services.GetRequiredService<OpenedFirst>();
        (first.Store, first.Coordinator) = (store, coordinator);
        await host.RunAsync();
        return Environment.ExitCode;
    }

    /// <summary>The etcd lease and node key, before anything starts: unreachable is exit 69 naming Cluster:Etcd:Endpoints.</summary>
    private static async Task<ICoordinator?> JoinClusterAsync(IServiceProvider services, AppOptions options)
    {
        if (!options.Cluster.Enabled) return null;
        var node = options.Cluster.EffectiveNode(options.Mqtt);
        if (string.IsNullOrEmpty(options.Mqtt.Node)) options.Mqtt.Node = node; // the MQTT client id and availability topic follow the cluster node
        var coordinator = new EtcdCoordinator(options.Cluster, node, services.GetRequiredService<ILoggerFactory>().CreateLogger("cluster"), TimeProvider.System);
        try { await coordinator.StartAsync(CancellationToken.None); }
        catch (UnavailableException) { await coordinator.DisposeAsync(); throw; }
        return coordinator;
    }

    /// <summary>Carries the store and the coordinator, opened before the host starts, to the daemon the host creates.</summary>
    internal sealed class OpenedFirst
    {
        public IEventStore? Store { get; set; }
        public ICoordinator? Coordinator { get; set; }
        public object[] Arguments => [.. new object?[] { Store, Coordinator }.OfType<object>()];
    }

    /// <summary>What to configure, and where, when no camera is enabled (null when one is).</summary>
    public static string? NoCamerasHint(AppOptions options, string? configFile)
    {
        if (options.Cameras.Any(c => c.Enabled)) return null;
        var where = configFile != null
            ? $"in {Path.GetFullPath(configFile)}"
            : $"in {Path.Combine(Environment.CurrentDirectory, "appsettings.json")} (or a file given with --config)";
        var what = options.Cameras.Count == 0
            ? "no cameras configured"
            : $"{options.Cameras.Count} camera(s) configured, none enabled (\"Enabled\": false)";
        return $"{what}: add each camera to \"Cameras\" {where}, e.g. " +
            "\"Cameras\": [{\"Name\": \"door\", \"Url\": \"rtsp://192.168.1.20:554/stream1\"}]" +
            " (Zones and Rules: see README), or set STREAMWATCH_Cameras__0__Name and STREAMWATCH_Cameras__0__Url";
    }
}
