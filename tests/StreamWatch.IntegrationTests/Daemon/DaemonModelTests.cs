using System.Text.Json;
using StreamWatch.IntegrationTests.Support;

namespace StreamWatch.IntegrationTests.Daemon;

/// <summary>
/// The whole daemon with an OpenAI-compatible backend: a local HTTP server in the test answers
/// like vLLM, the verdict flows back into the open alert (update with label and description),
/// and a verification rule is published only once the model confirms.
/// </summary>
public sealed class DaemonModelTests : IDisposable
{
    private const string Verdict = """{"description":"a person walks across the lawn","label":"intrusion","anomaly":true,"severity":"critical","confidence":0.87,"start":"00:00:02.000","end":"00:00:04.000"}""";
    private readonly StandInModel _model = new(Verdict);
    private readonly string _dir = Repo.TempDir("daemonmodel");

    public void Dispose()
    {
        _model.Dispose();
        Directory.Delete(_dir, true);
    }

    [Fact]
    public async Task Verdicts_enrich_an_open_alert_and_confirm_a_verification_rule()
    {
        var clip = await TestClips.MovingBoxAsync(_dir, seconds: 10, enterS: 2);
        var cameras = $$"""
            [{"Name": "yard", "Url": "{{clip}}",
              "Zones": [{"Name": "lawn", "Polygon": "0,0.4 1,0.4 1,1 0,1"}],
              "Rules": [{"Name": "intrusion", "Zone": "lawn", "Profile": "security", "EndAfterSeconds": 3},
                        {"Name": "verified", "Zone": "lawn", "Profile": "security", "RequireVerification": true, "EndAfterSeconds": 3}]}]
            """;
        var model = $$$""", "Model": {"Backend": "openai", "OpenAi": {"BaseUrl": "{{{_model.BaseUrl}}}", "Model": "qwen3-vl"}}""";
        await using var daemon = await DaemonProcess.StartAsync(cameras, extra: model);

        await daemon.Process.WaitForLineAsync("ALERT update intrusion on yard .*intrusion \\(0.87\\): a person walks", TimeSpan.FromSeconds(90));
        await daemon.Process.WaitForLineAsync("ALERT new verified on yard .*intrusion \\(0.87\\)", TimeSpan.FromSeconds(90));
        Assert.True(_model.Requests >= 1);
        Assert.Equal(0, await daemon.StopAsync());

        var lines = File.ReadLines(Path.Combine(daemon.StateDir, "events.jsonl")).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        var alerts = lines.Where(e => e.GetProperty("type").GetString() == "alert").ToList();
        var enriched = alerts.First(a => a.GetProperty("rule").GetString() == "intrusion" && a.TryGetProperty("label", out _));
        Assert.Equal("intrusion", enriched.GetProperty("label").GetString());
        Assert.Equal(0.87, enriched.GetProperty("confidence").GetDouble());
        Assert.Equal("openai:qwen3-vl", enriched.GetProperty("model").GetString());
        // the verification rule published nothing unconfirmed unless flagged: an alert still held when
        // the daemon stops goes out marked unverified (fail open), never as if confirmed
        Assert.All(alerts.Where(a => a.GetProperty("rule").GetString() == "verified"), a =>
            Assert.True(a.TryGetProperty("label", out _) || a.TryGetProperty("reason", out var r) && r.GetString() == "unverified", a.ToString()));
    }
}
