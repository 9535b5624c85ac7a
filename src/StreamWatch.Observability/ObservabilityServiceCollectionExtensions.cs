using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StreamWatch.Observability.Http;
using StreamWatch.Observability.Http.Api;
using StreamWatch.Observability.Prometheus;
using StreamWatch.Observability.Systemd;

namespace StreamWatch.Observability;

public static class ObservabilityServiceCollectionExtensions
{
    /// <summary>
    /// Registers HealthState, MetricsCollector (listening from the moment it is resolved), the
    /// ObservabilityServer as a hosted service, and sd_notify. Call it before the pipeline's hosted
    /// services (the endpoints come up first, stop last) and resolve MetricsCollector early if
    /// start-up measurements matter. A SystemdNotifier registered beforehand (tests) is kept.
    /// </summary>
    public static IServiceCollection AddStreamWatchObservability(this IServiceCollection services, Func<IServiceProvider, ObservabilityOptions> options)
    {
        services.AddSingleton<ObservabilityOptions>(options);
        services.TryAddSingleton<HealthState>();
        services.TryAddSingleton<MetricsCollector>();
        services.TryAddSingleton<ApiSources>();
        services.TryAddSingleton(sp => new ObservabilityServer(sp.GetRequiredService<ObservabilityOptions>(), sp.GetRequiredService<HealthState>(),
            sp.GetRequiredService<MetricsCollector>(), sp.GetService<ILoggerFactory>()?.CreateLogger<ObservabilityServer>(),
            sp.GetRequiredService<ApiSources>()));
        services.AddHostedService(sp => new ServerService(sp.GetRequiredService<ObservabilityServer>()));
        services.TryAddSingleton(_ => SystemdNotifier.FromEnvironment()!);
        services.AddHostedService(sp => new SystemdNotifyService(sp.GetService<SystemdNotifier>(),
            sp.GetRequiredService<IHostApplicationLifetime>(), sp.GetRequiredService<HealthState>()));
        return services;
    }

    private sealed class ServerService(ObservabilityServer server) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => server.StartAsync(cancellationToken);
        public Task StopAsync(CancellationToken cancellationToken) => server.StopAsync(cancellationToken);
    }
}
