using Microsoft.Extensions.Hosting;
using StreamWatch.Observability.Http;

namespace StreamWatch.Observability.Systemd;

/// <summary>
/// Speaks sd_notify for the generic host: READY=1 once every hosted service has started
/// (ApplicationStarted), WATCHDOG=1 at half WATCHDOG_USEC while running, STOPPING=1 as soon as
/// shutdown begins (SIGTERM → ApplicationStopping). While running, STATUS= follows the health
/// summary whenever it changes. Does nothing outside systemd.
/// </summary>
public sealed class SystemdNotifyService(SystemdNotifier? notifier, IHostApplicationLifetime lifetime, HealthState? health = null) : IHostedService
{
    private volatile bool _running;

    private readonly CancellationTokenSource _stop = new();
    private Task _watchdog = Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (notifier is null) return Task.CompletedTask;
        notifier.Status("starting");
        lifetime.ApplicationStarted.Register(() =>
        {
            notifier.Ready();
            _running = true;
            notifier.Status(health?.Snapshot().Summary ?? "running");
        });
        lifetime.ApplicationStopping.Register(() =>
        {
            _running = false;
            notifier.Stopping();
            notifier.Status("stopping: stopping cameras, flushing sinks");
        });
        if (health != null) health.Changed += () => { if (_running) notifier.Status(health.Snapshot().Summary); };
        _watchdog = notifier.RunWatchdogAsync(_stop.Token);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        // Registered before the pipeline's services, this stops after them: the watchdog keeps pinging
        // while cameras stop and sinks flush.
        await _stop.CancelAsync();
        await _watchdog;
    }
}
