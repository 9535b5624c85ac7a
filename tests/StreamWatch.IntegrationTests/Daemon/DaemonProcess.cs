using System.Net;
using StreamWatch.IntegrationTests.Support;

namespace StreamWatch.IntegrationTests.Daemon;

/// <summary>The real `streamwatch run` in a child process, with its own state dir and metrics port.</summary>
public sealed class DaemonProcess : IAsyncDisposable
{
    private readonly string _dir;
    public ChildProcess Process { get; }
    public int MetricsPort { get; }
    public string StateDir => Path.Combine(_dir, "state");
    public HttpClient Http { get; }

    private DaemonProcess(string dir, ChildProcess process, int metricsPort)
    {
        _dir = dir; Process = process; MetricsPort = metricsPort;
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{metricsPort}/"), Timeout = TimeSpan.FromSeconds(30) };
    }

    /// <param name="cameras">JSON array of cameras.</param>
    public static async Task<DaemonProcess> StartAsync(string cameras, IDictionary<string, string?>? env = null, string extra = "")
    {
        var dir = Repo.TempDir("daemon");
        var port = FreePort.Get();
        var config = Path.Combine(dir, "config.json");
        await File.WriteAllTextAsync(config, $$"""
            {"Cameras": {{cameras}},
             "Output": {"StateDirectory": "{{Path.Combine(dir, "state")}}"},
             "Observability": {"Listen": "127.0.0.1:{{port}}"} {{extra}} }
            """);
        var p = ChildProcess.Start("dotnet", new[] { Repo.DaemonDll, "run", "--config", config }, workDir: dir, env: env);
        var d = new DaemonProcess(dir, p, port);
        await p.WaitForLineAsync("streamwatch started", TimeSpan.FromSeconds(90));
        return d;
    }

    public async Task<(HttpStatusCode Status, string Body)> GetAsync(string path)
    {
        using var r = await Http.GetAsync(path);
        return (r.StatusCode, await r.Content.ReadAsStringAsync());
    }

    /// <summary>SIGTERM, as systemd stops the service; returns the exit code.</summary>
    public Task<int> StopAsync() => Process.TerminateAsync(TimeSpan.FromSeconds(60));

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Process.DisposeAsync();
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }
}
