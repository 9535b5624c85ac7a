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

        await using var prom = await PrometheusServer.StartAsync(host.Port, Path.Combine(PromDir, "rules.yml"));
        var series = await prom.QueryAsync("streamwatch_frames_decoded_total{camera=\"promserver\"}");
        Assert.Equal("streamwatch", series.GetProperty("metric").GetProperty("job").GetString());
        Assert.Equal("3", series.GetProperty("value")[1].GetString());

        var rules = await prom.WaitForAsync("api/v1/rules", d => d.GetProperty("data").GetProperty("groups").EnumerateArray()
            .SelectMany(g => g.GetProperty("rules").EnumerateArray()).All(r => r.GetProperty("lastEvaluation").GetString()!.StartsWith("2")));
        foreach (var r in rules.GetProperty("data").GetProperty("groups")[0].GetProperty("rules").EnumerateArray())
            Assert.True(r.GetProperty("health").GetString() == "ok", $"rule {r.GetProperty("name")} is {r.GetProperty("health")}: {r}");
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
