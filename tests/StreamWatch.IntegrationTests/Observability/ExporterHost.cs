using StreamWatch.Core.Telemetry;
using StreamWatch.Observability;
using StreamWatch.Observability.Http;

namespace StreamWatch.IntegrationTests.Observability;

/// <summary>The exporter host running in-process on 127.0.0.1 with a free port, plus an HTTP client for it.</summary>
internal sealed class ExporterHost : IAsyncDisposable
{
    private readonly List<IDisposable> _gauges = new();

    private ExporterHost(ObservabilityServer server, HealthState health)
    {
        Server = server;
        Health = health;
        Http = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
    }

    public ObservabilityServer Server { get; }
    public HealthState Health { get; }
    public HttpClient Http { get; }
    public int Port => Server.BaseAddress.Port;

    public static async Task<ExporterHost> StartAsync()
    {
        var health = new HealthState();
        var server = new ObservabilityServer(new ObservabilityOptions { Listen = "127.0.0.1:0" }, health);
        await server.StartAsync(CancellationToken.None);
        return new ExporterHost(server, health);
    }

    public Task<string> ScrapeAsync() => Http.GetStringAsync("metrics");

    /// <summary>
    /// Records values on every metric StreamWatchMetrics declares (StreamWatchMetrics.All, so one
    /// added later is covered too); an unknown metric kind fails the test.
    /// </summary>
    public void RecordOnEveryInstrument(string camera)
    {
        KeyValuePair<string, object?>[] tags =
        [
            new("camera", camera), new("rule", "door"), new("stage", "inference"), new("backend", "onnx"),
            new("phase", "new"), new("reason", "stalled"), new("queue", "keyframes"), new("outcome", "ok"), new("sink", "mqtt"),
        ];
        foreach (var m in StreamWatchMetrics.All)
        {
            switch (m)
            {
                case CounterMetric c: c.Add(3, tags); break;
                case HistogramMetric h: h.Record(0.02, tags); h.Record(0.7, tags); break;
                case GaugeSet g: _gauges.Add(g.Track(() => 1, tags)); break;
                default: throw new NotSupportedException($"{m.Name}: {m.GetType()} not covered by this test");
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var g in _gauges) g.Dispose();
        Http.Dispose();
        await Server.DisposeAsync();
    }
}

/// <summary>
/// Runs a short-lived tool (promtool, systemd-analyze) to completion. Unlike ChildProcess (made for
/// long-running children) it reads both pipes to EOF, so no finding printed at exit can be missed.
/// </summary>
internal static class Tools
{
    public static async Task<(int Code, string Output)> RunAsync(string file, IEnumerable<string> args, string? stdin = null)
    {
        var psi = new System.Diagnostics.ProcessStartInfo(file)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = System.Diagnostics.Process.Start(psi)!;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var stdout = p.StandardOutput.ReadToEndAsync(cts.Token);
        var stderr = p.StandardError.ReadToEndAsync(cts.Token);
        if (stdin != null) await p.StandardInput.WriteAsync(stdin);
        p.StandardInput.Close();
        await p.WaitForExitAsync(cts.Token);
        return (p.ExitCode, (await stdout + await stderr).Trim());
    }
}
