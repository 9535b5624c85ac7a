using System.Net.Sockets;
using System.Text;
using StreamWatch.IntegrationTests.Support;
using StreamWatch.Observability.Systemd;

namespace StreamWatch.IntegrationTests.Observability;

public class SystemdTests
{
    private static string UnitPath => Path.Combine(Repo.Root, "systemd", "streamwatch.service");

    [Fact]
    public async Task Unit_passes_systemd_analyze_verify_when_its_binary_exists()
    {
        var dir = Repo.TempDir("unit");
        try
        {
            // The unit points at /usr/lib/streamwatch/streamwatch, which is installed only by the install
            // path; verify an identical copy whose ExecStart names an executable that exists.
            var binary = Path.Combine(dir, "streamwatch");
            await File.WriteAllTextAsync(binary, "#!/bin/sh\nexit 0\n");
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(binary, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            var text = await File.ReadAllTextAsync(UnitPath);
            Assert.Contains("ExecStart=/usr/lib/streamwatch/streamwatch --config /etc/streamwatch/streamwatch.json\n", text);
            var copy = Path.Combine(dir, "streamwatch.service");
            await File.WriteAllTextAsync(copy, text.Replace("ExecStart=/usr/lib/streamwatch/streamwatch ", $"ExecStart={binary} "));

            var (code, output) = await Tools.RunAsync("systemd-analyze", ["verify", copy]);
            var findings = output.Split('\n').Where(l => l.Contains("streamwatch")).ToList();
            Assert.True(code == 0 && findings.Count == 0, $"systemd-analyze verify exit {code}:\n{output}");

            // Unmodified, the only complaint may be the binary that is not installed here.
            (code, output) = await Tools.RunAsync("systemd-analyze", ["verify", UnitPath]);
            var other = output.Split('\n').Where(l => l.Contains("streamwatch") && !l.Contains("/usr/lib/streamwatch/streamwatch is not executable")).ToList();
            Assert.True(other.Count == 0, "unexpected findings:\n" + output);
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public async Task Unit_declares_notify_watchdog_restart_and_hardening()
    {
        var lines = (await File.ReadAllLinesAsync(UnitPath)).Select(l => l.Trim()).ToHashSet();
        foreach (var required in new[]
                 {
                     "Type=notify", "Restart=on-failure", "WatchdogSec=30", "User=streamwatch", "ProtectSystem=strict",
                     "ProtectHome=yes", "PrivateTmp=yes", "NoNewPrivileges=yes", "CapabilityBoundingSet=",
                     "StateDirectory=streamwatch", "RuntimeDirectory=streamwatch",
                 })
            Assert.Contains(required, lines);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Notifier_sends_ready_status_periodic_watchdog_then_stopping(bool abstractSocket)
    {
        var dir = Repo.TempDir("notify");
        var name = abstractSocket ? "@sw-notify-" + Guid.NewGuid().ToString("N") : Path.Combine(dir, "notify");
        using var listener = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(abstractSocket ? "\0" + name[1..] : name));
        var env = new Dictionary<string, string> { ["NOTIFY_SOCKET"] = name, ["WATCHDOG_USEC"] = "200000" };
        try
        {
            using var notifier = SystemdNotifier.FromVariables(k => env.GetValueOrDefault(k), Environment.ProcessId)!;
            Assert.Equal(TimeSpan.FromMilliseconds(100), notifier.WatchdogInterval);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));

            Assert.True(notifier.Ready());
            Assert.True(notifier.Status("2 cameras\nrunning"));
            Assert.Equal("READY=1", await ReceiveAsync(listener, timeout.Token));
            Assert.Equal("STATUS=2 cameras running", await ReceiveAsync(listener, timeout.Token));

            using var stop = new CancellationTokenSource();
            var loop = notifier.RunWatchdogAsync(stop.Token);
            for (var i = 0; i < 3; i++) Assert.Equal("WATCHDOG=1", await ReceiveAsync(listener, timeout.Token));
            stop.Cancel();
            await loop.WaitAsync(timeout.Token);

            Assert.True(notifier.Stopping());
            string last;
            do last = await ReceiveAsync(listener, timeout.Token); // a tick may have raced the cancel
            while (last == "WATCHDOG=1");
            Assert.Equal("STOPPING=1", last);
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    private static async Task<string> ReceiveAsync(Socket s, CancellationToken ct)
    {
        var buf = new byte[4096];
        var n = await s.ReceiveAsync(buf, SocketFlags.None, ct);
        return Encoding.UTF8.GetString(buf, 0, n);
    }
}
