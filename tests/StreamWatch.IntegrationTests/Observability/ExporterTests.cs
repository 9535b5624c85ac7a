using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using StreamWatch.IntegrationTests.Support;

namespace StreamWatch.IntegrationTests.Observability;

public class ExporterTests
{
    [Fact]
    public async Task Scrape_passes_promtool_check_metrics_without_findings()
    {
        await using var host = await ExporterHost.StartAsync();
        host.RecordOnEveryInstrument("promtool \"quoted\\cam\"");
        var response = await host.Http.GetAsync("metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", response.Content.Headers.ContentType!.ToString());
        var text = await response.Content.ReadAsStringAsync();
        Assert.Contains("streamwatch_frames_decoded_total{", text);
        Assert.Contains("streamwatch_stage_latency_seconds_bucket{", text);
        Assert.Contains("process_cpu_seconds_total ", text);

        var (code, output) = await Tools.RunAsync("promtool", ["check", "metrics"], stdin: text);
        Assert.True(code == 0 && output.Length == 0, $"promtool check metrics exit {code}:\n{output}");
    }

    [Fact]
    public async Task Binds_the_requested_loopback_address_with_the_real_port()
    {
        await using var host = await ExporterHost.StartAsync();
        Assert.Equal("127.0.0.1", host.Server.BaseAddress.Host);
        Assert.NotEqual(0, host.Port);
        await FreePort.WaitOpenAsync(host.Port, TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task A_port_in_use_fails_start_with_an_error_naming_the_key()
    {
        await using var first = await ExporterHost.StartAsync();
        var listen = $"127.0.0.1:{first.Port}";
        await using var second = new StreamWatch.Observability.Http.ObservabilityServer(
            new StreamWatch.Observability.ObservabilityOptions { Listen = listen }, new StreamWatch.Observability.Http.HealthState());
        var e = await Assert.ThrowsAsync<StreamWatch.Core.Config.ConfigException>(() => second.StartAsync(CancellationToken.None));
        Assert.Equal($"Observability:Listen: cannot listen on {listen}: the port is in use by another process", Assert.Single(e.Errors));
        Assert.Equal(HttpStatusCode.OK, (await first.Http.GetAsync("healthz")).StatusCode);
    }

    [Fact]
    public async Task Readiness_flips_with_camera_state_and_explains_itself()
    {
        await using var host = await ExporterHost.StartAsync();
        var alive = await host.Http.GetAsync("healthz");
        Assert.Equal(HttpStatusCode.OK, alive.StatusCode);

        host.Health.SetCamera("front", online: false, "starting");
        host.Health.SetSink("mqtt", connected: true);
        var (status, body) = await ReadyzAsync(host);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Equal(["configuration not loaded", "camera 'front' offline: starting"], NotReady(body));

        host.Health.SetConfigLoaded();
        host.Health.SetCamera("front", online: true);
        (status, body) = await ReadyzAsync(host);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Empty(NotReady(body));

        host.Health.SetCamera("front", online: false, "stalled");
        (status, body) = await ReadyzAsync(host);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Equal(["camera 'front' offline: stalled"], NotReady(body));

        using var doc = JsonDocument.Parse(await host.Http.GetStringAsync("api/status"));
        var cam = doc.RootElement.GetProperty("cameras")[0];
        Assert.Equal("front", cam.GetProperty("name").GetString());
        Assert.Equal("offline", cam.GetProperty("state").GetString());
        Assert.Equal("stalled", cam.GetProperty("reason").GetString());

        host.Health.SetCamera("front", online: true);
        Assert.Equal(HttpStatusCode.OK, (await ReadyzAsync(host)).Status);
    }

    [Fact]
    public async Task Dashboard_queries_only_metrics_that_a_real_scrape_has_and_covers_every_family()
    {
        var path = Path.Combine(Repo.Root, "config", "grafana", "streamwatch-dashboard.json");
        using var dash = JsonDocument.Parse(await File.ReadAllTextAsync(path));
        var exprs = new List<string>();
        CollectQueries(dash.RootElement, exprs);
        Assert.NotEmpty(exprs);

        var vars = dash.RootElement.GetProperty("templating").GetProperty("list").EnumerateArray().ToList();
        Assert.Contains(vars, v => v.GetProperty("type").GetString() == "datasource" && v.GetProperty("query").GetString() == "prometheus");
        foreach (var panel in dash.RootElement.GetProperty("panels").EnumerateArray().Where(p => p.GetProperty("type").GetString() != "row"))
            Assert.Equal("${datasource}", panel.GetProperty("datasource").GetProperty("uid").GetString());

        await using var host = await ExporterHost.StartAsync();
        host.RecordOnEveryInstrument("dash");
        var scrape = await host.ScrapeAsync();
        var samples = scrape.Split('\n').Where(l => l.Length > 0 && l[0] != '#')
            .Select(l => l[..l.IndexOfAny(['{', ' '])]).ToHashSet();
        var queried = exprs.SelectMany(e => Regex.Matches(e, @"\b(?:streamwatch|process|dotnet)_[a-z0-9_]+").Select(m => m.Value)).ToHashSet();
        var missing = queried.Where(n => !samples.Contains(n)).OrderBy(n => n).ToList();
        Assert.True(missing.Count == 0, "dashboard queries metrics the exporter does not serve: " + string.Join(", ", missing));

        var families = Regex.Matches(scrape, @"(?m)^# TYPE (\S+) ").Select(m => m.Groups[1].Value).ToList();
        var uncovered = families.Where(f => !queried.Any(q => q == f || q.StartsWith(f + "_"))).ToList();
        Assert.True(uncovered.Count == 0, "metric families without a dashboard panel: " + string.Join(", ", uncovered));
    }

    private static void CollectQueries(JsonElement e, List<string> into)
    {
        if (e.ValueKind == JsonValueKind.Object)
        {
            foreach (var p in e.EnumerateObject())
            {
                if (p.Name is "expr" or "definition" && p.Value.ValueKind == JsonValueKind.String) into.Add(p.Value.GetString()!);
                else CollectQueries(p.Value, into);
            }
        }
        else if (e.ValueKind == JsonValueKind.Array)
            foreach (var x in e.EnumerateArray()) CollectQueries(x, into);
    }

    private static async Task<(HttpStatusCode Status, JsonElement Body)> ReadyzAsync(ExporterHost host)
    {
        var r = await host.Http.GetAsync("readyz");
        Assert.Equal("application/json", r.Content.Headers.ContentType!.MediaType);
        using var doc = JsonDocument.Parse(await r.Content.ReadAsStringAsync());
        return (r.StatusCode, doc.RootElement.Clone());
    }

    private static string[] NotReady(JsonElement body) =>
        body.GetProperty("not_ready").EnumerateArray().Select(x => x.GetString()!).ToArray();
}
