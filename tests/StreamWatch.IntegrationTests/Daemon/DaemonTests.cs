using System.Net;
using System.Net.Sockets;
using System.Text;
using StreamWatch.IntegrationTests.Observability;
using StreamWatch.IntegrationTests.Support;

namespace StreamWatch.IntegrationTests.Daemon;

/// <summary>The whole daemon against a real RTSP server, real ffmpeg, promtool and a notify socket.</summary>
public class DaemonTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task A_camera_that_dies_goes_offline_without_taking_the_daemon_down_and_comes_back()
    {
        await using var server = await RtspServer.StartAsync();
        var cameras = $$"""[{"Name": "door", "Url": "{{server.Url("admin:s3cret-pw")}}", "StallTimeoutSeconds": 5}]""";
        await using var daemon = await DaemonProcess.StartAsync(cameras);
        var p = daemon.Process;

        // the log sink's line comes after /readyz was updated
        await p.WaitForLineAsync("camera door online: ", Wait);
        var ready = await daemon.GetAsync("readyz");
        Assert.True(ready.Status == HttpStatusCode.OK, ready.Body);

        await server.StopAsync();
        await p.WaitForLineAsync("camera door offline: ", Wait);
        var notReady = await daemon.GetAsync("readyz");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, notReady.Status);
        Assert.Contains("camera 'door' offline", notReady.Body);
        Assert.False(p.HasExited);

        await server.StartAgainAsync();
        await p.WaitForLineAsync("camera door online: ", Wait, occurrence: 2);
        Assert.Equal(HttpStatusCode.OK, (await daemon.GetAsync("readyz")).Status);
        var status = await daemon.GetAsync("api/status");
        Assert.Contains("\"door\"", status.Body);

        var metrics = (await daemon.GetAsync("metrics")).Body;
        Assert.Contains("streamwatch_frames_decoded_total{camera=\"door\"}", metrics);
        Assert.Contains("streamwatch_ffmpeg_restarts_total{camera=\"door\"}", metrics);
        Assert.DoesNotContain("s3cret-pw", metrics);

        Assert.Equal(0, await daemon.StopAsync());
        Assert.DoesNotContain("s3cret-pw", p.Output);
        Assert.Contains($"rtsp://***@127.0.0.1:{server.Port}/cam", p.Output); // the URL is logged, redacted
    }

    [Fact]
    public async Task The_daemon_scrape_passes_promtool_and_it_speaks_sd_notify_until_sigterm()
    {
        var dir = Repo.TempDir("notify");
        var socketPath = Path.Combine(dir, "notify.sock");
        using var listener = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(socketPath));
        var clip = await TestClips.MovingBoxAsync(dir, seconds: 8, enterS: 1);
        var cameras = $$"""[{"Name": "yard", "Url": "{{clip}}", "Loop": true, "Zones": [{"Name": "all", "Polygon": "0,0 1,0 1,1 0,1"}], "Rules": [{"Name": "intrusion", "Zone": "all"}]}]""";
        var env = new Dictionary<string, string?> { ["NOTIFY_SOCKET"] = socketPath, ["WATCHDOG_USEC"] = "2000000" };
        await using var daemon = await DaemonProcess.StartAsync(cameras, env);
        using var timeout = new CancellationTokenSource(Wait);

        var seen = new List<string>();
        while (seen.Count(m => m == "WATCHDOG=1") < 3) seen.Add(await ReceiveAsync(listener, timeout.Token));
        Assert.Contains("READY=1", seen);
        Assert.Contains(seen, m => m.StartsWith("STATUS=", StringComparison.Ordinal));
        Assert.DoesNotContain("STOPPING=1", seen);

        await daemon.Process.WaitForLineAsync("ALERT new intrusion on yard", Wait);
        var scrape = (await daemon.GetAsync("metrics")).Body;
        var (code, findings) = await Tools.RunAsync("promtool", new[] { "check", "metrics" }, scrape);
        Assert.True(code == 0 && findings.Length == 0, $"promtool: {findings}");
        Assert.Contains("streamwatch_alerts_total{camera=\"yard\",rule=\"intrusion\",phase=\"new\"}", scrape);

        var exit = daemon.StopAsync();
        string message;
        do message = await ReceiveAsync(listener, timeout.Token); while (message == "WATCHDOG=1" || message.StartsWith("STATUS="));
        Assert.Equal("STOPPING=1", message);
        Assert.Equal(0, await exit);
        Directory.Delete(dir, true);
    }

    [Fact]
    public async Task A_real_prometheus_scraping_the_daemon_sees_its_camera_up_and_frames_analysed()
    {
        var dir = Repo.TempDir("promdaemon");
        var clip = await TestClips.MovingBoxAsync(dir, seconds: 8, enterS: 1);
        await using var daemon = await DaemonProcess.StartAsync($$"""[{"Name": "yard", "Url": "{{clip}}", "Loop": true}]""");
        await daemon.Process.WaitForLineAsync("camera yard online: ", Wait);
        await using var prom = await PrometheusServer.StartAsync(daemon.MetricsPort);

        var up = await prom.QueryAsync("streamwatch_camera_up{camera=\"yard\"} == 1");
        Assert.Equal("streamwatch", up.GetProperty("metric").GetProperty("job").GetString());
        await prom.QueryAsync("streamwatch_frames_analysed_total{camera=\"yard\"} > 0");
        await prom.QueryAsync("process_working_set_bytes > 0");
        Assert.Equal(0, await daemon.StopAsync());
        Directory.Delete(dir, true);
    }

    [Fact]
    public async Task Invalid_configuration_exits_78_naming_the_key()
    {
        var dir = Repo.TempDir("badconfig");
        var config = Path.Combine(dir, "bad.json");
        await File.WriteAllTextAsync(config, """{"Cameras": [{"Name": "yard", "Url": "rtsp://127.0.0.1:1/x", "StallTimeoutSeconds": -1}]}""");
        await using var p = ChildProcess.Start("dotnet", new[] { Repo.DaemonDll, "run", "--config", config });
        Assert.Equal(78, await p.WaitExitAsync(Wait));
        Assert.Contains("Cameras:0:StallTimeoutSeconds", p.Output);
        Directory.Delete(dir, true);
    }

    [Fact]
    public async Task Starting_with_no_cameras_says_what_to_configure_and_where()
    {
        await using var daemon = await DaemonProcess.StartAsync("[]");
        var line = await daemon.Process.WaitForLineAsync("no cameras configured: ", Wait);
        Assert.Contains($"in {Path.GetFullPath(Path.Combine(daemon.StateDir, "..", "config.json"))}", line);
        Assert.Contains("\"Url\"", line);
        Assert.Equal(0, await daemon.StopAsync());
    }

    private static async Task<string> ReceiveAsync(Socket s, CancellationToken ct)
    {
        var buffer = new byte[4096];
        var n = await s.ReceiveAsync(buffer, SocketFlags.None, ct);
        return Encoding.UTF8.GetString(buffer, 0, n);
    }
}
