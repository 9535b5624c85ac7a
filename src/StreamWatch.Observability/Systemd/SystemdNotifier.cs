using System.Net.Sockets;
using System.Text;

namespace StreamWatch.Observability.Systemd;

/// <summary>
/// sd_notify(3) without libsystemd: datagrams to the unix socket named by $NOTIFY_SOCKET
/// ("@name" = abstract namespace). READY=1, STATUS=…, WATCHDOG=1 and STOPPING=1.
/// </summary>
public sealed class SystemdNotifier : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
    private readonly UnixDomainSocketEndPoint _target;

    private SystemdNotifier(string socketPath, TimeSpan? watchdogInterval)
    {
        _target = new UnixDomainSocketEndPoint(socketPath.StartsWith('@') ? "\0" + socketPath[1..] : socketPath);
        WatchdogInterval = watchdogInterval;
    }

    /// <summary>Half of WATCHDOG_USEC (as sd_watchdog_enabled advises), or null when no watchdog is armed for us.</summary>
    public TimeSpan? WatchdogInterval { get; }

    /// <summary>Null when the process was not started by systemd with Type=notify (no $NOTIFY_SOCKET).</summary>
    public static SystemdNotifier? FromEnvironment() => FromVariables(Environment.GetEnvironmentVariable, Environment.ProcessId);

    internal static SystemdNotifier? FromVariables(Func<string, string?> env, int pid)
    {
        var socket = env("NOTIFY_SOCKET");
        if (string.IsNullOrEmpty(socket) || !(socket[0] is '/' or '@')) return null;
        TimeSpan? interval = null;
        var pidText = env("WATCHDOG_PID");
        var forUs = string.IsNullOrEmpty(pidText) || (int.TryParse(pidText, out var wpid) && wpid == pid);
        if (forUs && ulong.TryParse(env("WATCHDOG_USEC"), out var usec) && usec > 0)
            interval = TimeSpan.FromMicroseconds(usec / 2.0);
        return new SystemdNotifier(socket, interval);
    }

    public bool Ready() => Send("READY=1");
    public bool Stopping() => Send("STOPPING=1");
    public bool Watchdog() => Send("WATCHDOG=1");

    /// <summary>STATUS= line shown by systemctl status; line breaks are flattened.</summary>
    public bool Status(string status) => Send("STATUS=" + status.ReplaceLineEndings(" "));

    /// <summary>Sends WATCHDOG=1 every <see cref="WatchdogInterval"/> until cancelled; returns at once if none.</summary>
    public async Task RunWatchdogAsync(CancellationToken ct)
    {
        if (WatchdogInterval is not { } interval) return;
        using var timer = new PeriodicTimer(interval);
        Watchdog();
        try
        {
            while (await timer.WaitForNextTickAsync(ct)) Watchdog();
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested) { }
    }

    /// <summary>Sends one datagram; false when the socket is gone (systemd restarting) — never throws.</summary>
    public bool Send(string state)
    {
        try
        {
            lock (_socket) _socket.SendTo(Encoding.UTF8.GetBytes(state), SocketFlags.None, _target);
            return true;
        }
        catch (SocketException) { return false; }
        catch (ObjectDisposedException) { return false; }
    }

    public void Dispose() => _socket.Dispose();
}
