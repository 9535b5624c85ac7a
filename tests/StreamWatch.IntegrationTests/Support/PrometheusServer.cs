using System.Text.Json;

namespace StreamWatch.IntegrationTests.Support;

/// <summary>A real Prometheus (Debian package) on 127.0.0.1, scraping one target every second.</summary>
public sealed class PrometheusServer : IAsyncDisposable
{
    private readonly string _dir;
    private readonly ChildProcess _process;
    public HttpClient Http { get; }

    private PrometheusServer(string dir, ChildProcess process, int port)
    {
        _dir = dir; _process = process;
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(30) };
    }

    public static async Task<PrometheusServer> StartAsync(int targetPort, string? ruleFile = null)
    {
        var dir = Repo.TempDir("prometheus");
        var port = FreePort.Get();
        var config = Path.Combine(dir, "prometheus.yml");
        var rules = ruleFile == null ? "" : $"rule_files:\n  - {ruleFile}\n";
        await File.WriteAllTextAsync(config, $"""
            global:
              scrape_interval: 1s
              evaluation_interval: 1s
            {rules}scrape_configs:
              - job_name: streamwatch
                static_configs:
                  - targets: ["127.0.0.1:{targetPort}"]
            """);
        var p = ChildProcess.Start("prometheus",
        [
            "--config.file=" + config, "--storage.tsdb.path=" + Path.Combine(dir, "data"),
            $"--web.listen-address=127.0.0.1:{port}", "--web.console.templates=" + dir, "--web.console.libraries=" + dir,
        ], workDir: dir);
        var server = new PrometheusServer(dir, p, port);
        try { await p.WaitForLineAsync("Server is ready to receive web requests", TimeSpan.FromSeconds(60)); }
        catch { await server.DisposeAsync(); throw; }
        return server;
    }

    /// <summary>Polls an API path until the answer satisfies <paramref name="done"/> (bounded wait).</summary>
    public async Task<JsonElement> WaitForAsync(string path, Func<JsonElement, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        string last = "";
        while (DateTime.UtcNow < deadline)
        {
            last = await Http.GetStringAsync(path);
            using var doc = JsonDocument.Parse(last);
            if (doc.RootElement.GetProperty("status").GetString() == "success" && done(doc.RootElement)) return doc.RootElement.Clone();
            await Task.Delay(250); // retry interval of a bounded wait-for-condition loop (Prometheus scrapes every 1 s)
        }
        throw new TimeoutException($"{path} did not reach the expected answer within 60 s; last: {last}");
    }

    /// <summary>The first series an instant query returns, once it returns one.</summary>
    public Task<JsonElement> QueryAsync(string promql) =>
        WaitForAsync($"api/v1/query?query={Uri.EscapeDataString(promql)}", d => d.GetProperty("data").GetProperty("result").GetArrayLength() > 0)
            .ContinueWith(t => t.Result.GetProperty("data").GetProperty("result")[0], TaskScheduler.Default);

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _process.DisposeAsync();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }
}
