using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using StreamWatch.IntegrationTests.Support;
using StreamWatch.Observability;
using StreamWatch.Observability.Http;
using StreamWatch.Observability.Systemd;

namespace StreamWatch.IntegrationTests.Observability;

/// <summary>AddStreamWatchObservability in a generic host: endpoints come up, READY=1 after start, STOPPING=1 on stop.</summary>
public class HostWiringTests
{
    [Fact]
    public async Task Generic_host_serves_endpoints_and_speaks_sd_notify_through_its_lifetime()
    {
        var dir = Repo.TempDir("hostnotify");
        var socketPath = Path.Combine(dir, "notify");
        using var listener = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(socketPath));
        var env = new Dictionary<string, string> { ["NOTIFY_SOCKET"] = socketPath, ["WATCHDOG_USEC"] = "60000000" };
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [], DisableDefaults = true });
            builder.Services.AddSingleton(SystemdNotifier.FromVariables(k => env.GetValueOrDefault(k), Environment.ProcessId)!);
            builder.Services.AddStreamWatchObservability(_ => new ObservabilityOptions { Listen = "127.0.0.1:0" });
            using var host = builder.Build();
            await host.StartAsync(timeout.Token);

            var seen = await ReceiveUntilAsync(listener, "READY=1", timeout.Token);
            Assert.Equal("STATUS=starting", seen[0]);
            Assert.Contains("WATCHDOG=1", seen); // the loop pings once at start, then every 30 s

            var server = host.Services.GetRequiredService<ObservabilityServer>();
            using var http = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
            Assert.Contains("process_cpu_seconds_total", await http.GetStringAsync("metrics"));
            var health = host.Services.GetRequiredService<HealthState>();
            health.SetConfigLoaded();
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("readyz")).StatusCode);
            await ReceiveUntilAsync(listener, "STATUS=ready: 0/0 cameras online, 0/0 sinks connected", timeout.Token);
            health.SetCamera("front", online: false, "stalled");
            await ReceiveUntilAsync(listener, "STATUS=not ready (0/1 cameras online): camera 'front' offline: stalled", timeout.Token);

            await host.StopAsync(timeout.Token);
            seen = await ReceiveUntilAsync(listener, "STOPPING=1", timeout.Token);
            Assert.DoesNotContain("READY=1", seen);
            await Assert.ThrowsAnyAsync<HttpRequestException>(() => http.GetAsync("healthz"));
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    private static async Task<List<string>> ReceiveUntilAsync(Socket s, string wanted, CancellationToken ct)
    {
        var seen = new List<string>();
        var buf = new byte[4096];
        while (true)
        {
            var n = await s.ReceiveAsync(buf, SocketFlags.None, ct);
            seen.Add(Encoding.UTF8.GetString(buf, 0, n));
            if (seen[^1] == wanted) return seen;
        }
    }
}
