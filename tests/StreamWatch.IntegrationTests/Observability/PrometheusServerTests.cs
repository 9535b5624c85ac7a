using System.Text.Json;
using StreamWatch.IntegrationTests.Support;

namespace StreamWatch.IntegrationTests.Observability;

public class PrometheusServerTests
{
    private static string PromDir => Path.Combine(Repo.Root, "config", "prometheus");

    [Fact]
    public async Task Real_prometheus_scrapes_the_exporter_and_evaluates_our_rules()
    {
        await using var host = await ExporterHost.StartAsync();
        host.RecordOnEveryInstrument("promserver");

        var dir = Repo.TempDir("prometheus");
        var port = FreePort.Get();
        var config = Path.Combine(dir, "prometheus.yml");
        await File.WriteAllTextAsync(config, $"""
            global:
              scrape_interval: 1s
              evaluation_interval: 1s
            rule_files:
              - {Path.Combine(PromDir, "rules.yml")}
            scrape_configs:
              - job_name: streamwatch
                static_configs:
                  - targets: ["127.0.0.1:{host.Port}"]
            """);
        await using var prom = ChildProcess.Start("prometheus",
        [
            "--config.file=" + config, "--storage.tsdb.path=" + Path.Combine(dir, "data"),
            $"--web.listen-address=127.0.0.1:{port}", "--web.console.templates=" + dir, "--web.console.libraries=" + dir,
        ], workDir: dir);
        try
        {
            await prom.WaitForLineAsync("Server is ready to receive web requests", TimeSpan.FromSeconds(60));
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(30) };

            var query = Uri.EscapeDataString("streamwatch_frames_decoded_total{camera=\"promserver\"}");
            var result = await WaitForAsync(http, $"api/v1/query?query={query}",
                d => d.GetProperty("data").GetProperty("result").GetArrayLength() > 0);
            var series = result.GetProperty("data").GetProperty("result")[0];
            Assert.Equal("streamwatch", series.GetProperty("metric").GetProperty("job").GetString());
            Assert.Equal("3", series.GetProperty("value")[1].GetString());

            var rules = await WaitForAsync(http, "api/v1/rules", d => d.GetProperty("data").GetProperty("groups").EnumerateArray()
                .SelectMany(g => g.GetProperty("rules").EnumerateArray()).All(r => r.GetProperty("lastEvaluation").GetString()!.StartsWith("2")));
            foreach (var r in rules.GetProperty("data").GetProperty("groups")[0].GetProperty("rules").EnumerateArray())
                Assert.True(r.GetProperty("health").GetString() == "ok", $"rule {r.GetProperty("name")} is {r.GetProperty("health")}: {r}");
        }
        finally
        {
            await prom.DisposeAsync();
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>Polls a Prometheus API path until the answer satisfies <paramref name="done"/> (bounded wait).</summary>
    private static async Task<JsonElement> WaitForAsync(HttpClient http, string path, Func<JsonElement, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        string last = "";
        while (DateTime.UtcNow < deadline)
        {
            last = await http.GetStringAsync(path);
            using var doc = JsonDocument.Parse(last);
            if (doc.RootElement.GetProperty("status").GetString() == "success" && done(doc.RootElement)) return doc.RootElement.Clone();
            await Task.Delay(250); // retry interval of a bounded wait-for-condition loop
        }
        throw new TimeoutException($"{path} did not reach the expected answer within 60 s; last: {last}");
    }

    [Theory]
    [InlineData("check", "rules", "rules.yml")]
    [InlineData("check", "config", "prometheus.yml")]
    [InlineData("test", "rules", "rules_test.yml")]
    public async Task Shipped_prometheus_files_pass_promtool(string verb, string what, string file)
    {
        var (code, output) = await Tools.RunAsync("promtool", [verb, what, Path.Combine(PromDir, file)]);
        Assert.True(code == 0, $"promtool {verb} {what} {file} exit {code}:\n{output}");
        Assert.Contains("SUCCESS", output);
    }
}
