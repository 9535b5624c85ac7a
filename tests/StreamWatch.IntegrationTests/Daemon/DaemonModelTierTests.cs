using StreamWatch.IntegrationTests.Support;

namespace StreamWatch.IntegrationTests.Daemon;

/// <summary>
/// The whole daemon with a shared model tier (Model:OpenAi:BaseUrls): two stand-in OpenAI servers on
/// 127.0.0.1, one of which takes requests and never answers. Verdicts keep arriving through the other.
/// (Routing and the breaker below the daemon: tests/StreamWatch.Tests/Inference/OpenAi.)
/// </summary>
public sealed class DaemonModelTierTests : IDisposable
{
    private const string Verdict = """{"description":"a person walks across the lawn","label":"intrusion","anomaly":true,"severity":"critical","confidence":0.87,"start":"00:00:00.500","end":"00:00:02.000"}""";
    private readonly StandInModel _works = new(Verdict), _hangs = new(null);
    private readonly string _dir = Repo.TempDir("daemontier");

    public void Dispose()
    {
        _works.Dispose(); _hangs.Dispose();
        Directory.Delete(_dir, true);
    }

    [Fact]
    public async Task Verdicts_keep_arriving_through_the_other_server_while_one_hangs()
    {
        var clip = await TestClips.MovingBoxAsync(_dir, seconds: 6, enterS: 0.5);
        var cameras = $$"""
            [{"Name": "yard", "Url": "{{clip}}", "Loop": true,
              "Zones": [{"Name": "lawn", "Polygon": "0,0.4 1,0.4 1,1 0,1"}],
              "Rules": [{"Name": "intrusion", "Zone": "lawn", "Profile": "security", "EndAfterSeconds": 1}]}]
            """;
        var model = $$$""", "Model": {"Backend": "openai", "OpenAi": {"BaseUrls": ["{{{_hangs.BaseUrl}}}", "{{{_works.BaseUrl}}}"], "Model": "qwen3-vl", "TimeoutSeconds": 2, "CircuitBreakerFailures": 1, "CircuitBreakerSeconds": 60}}""";
        await using var daemon = await DaemonProcess.StartAsync(cameras, extra: model);

        // alerts keep getting their verdict (the first requests alternate between the servers)
        await daemon.Process.WaitForLineAsync("ALERT update intrusion on yard .*intrusion \\(0.87\\): a person walks", TimeSpan.FromSeconds(120), occurrence: 2);
        Assert.True(_hangs.Requests >= 1, "the hanging server was never asked, so this proves nothing");
        Assert.True(_works.Requests >= 2);
        Assert.Equal(0, await daemon.StopAsync());
    }
}
