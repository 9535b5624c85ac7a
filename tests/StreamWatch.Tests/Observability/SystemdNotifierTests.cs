using StreamWatch.Observability.Systemd;

namespace StreamWatch.Tests.Observability;

public class SystemdNotifierTests
{
    private static SystemdNotifier? From(Dictionary<string, string> env, int pid = 42) =>
        SystemdNotifier.FromVariables(k => env.GetValueOrDefault(k), pid);

    [Fact]
    public void No_notify_socket_means_no_notifier() => Assert.Null(From(new()));

    [Fact]
    public void A_relative_socket_path_is_rejected() => Assert.Null(From(new() { ["NOTIFY_SOCKET"] = "run/notify" }));

    [Fact]
    public void Watchdog_interval_is_half_of_watchdog_usec()
    {
        using var n = From(new() { ["NOTIFY_SOCKET"] = "/run/systemd/notify", ["WATCHDOG_USEC"] = "30000000" });
        Assert.Equal(TimeSpan.FromSeconds(15), n!.WatchdogInterval);
    }

    [Fact]
    public void Watchdog_for_another_pid_is_ignored()
    {
        using var n = From(new() { ["NOTIFY_SOCKET"] = "@abstract", ["WATCHDOG_USEC"] = "1000000", ["WATCHDOG_PID"] = "7" });
        Assert.Null(n!.WatchdogInterval);
        using var m = From(new() { ["NOTIFY_SOCKET"] = "@abstract", ["WATCHDOG_USEC"] = "1000000", ["WATCHDOG_PID"] = "42" });
        Assert.Equal(TimeSpan.FromMilliseconds(500), m!.WatchdogInterval);
    }

    [Fact]
    public async Task Without_a_watchdog_the_loop_returns_at_once()
    {
        using var n = From(new() { ["NOTIFY_SOCKET"] = "/nonexistent/notify" });
        await n!.RunWatchdogAsync(CancellationToken.None);
        Assert.False(n.Ready()); // no listener there: reported, not thrown
    }
}
