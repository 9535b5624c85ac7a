using System.Net;
using System.Text;
using System.Text.Json;
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
    private readonly HttpListener _works = new(), _hangs = new();
    private readonly List<HttpListenerContext> _held = [];
    private readonly string _dir = Repo.TempDir("daemontier");
    private int _answered, _hung;

    public DaemonModelTierTests()
    {
        WorksPort = Listen(_works);
        HangsPort = Listen(_hangs);
        _ = Task.Run(() => ServeAsync(_works, answer: true));
        _ = Task.Run(() => ServeAsync(_hangs, answer: false));
    }

    private int WorksPort { get; }
    private int HangsPort { get; }

    private static int Listen(HttpListener l)
    {
        var port = FreePort.Get();
        l.Prefixes.Add($"http://127.0.0.1:{port}/");
        l.Start();
        return port;
    }

    private async Task ServeAsync(HttpListener server, bool answer)
    {
        while (server.IsListening)
        {
            HttpListenerContext ctx;
            try { ctx = await server.GetContextAsync(); }
            catch (Exception) { return; }
            if (!answer) { Interlocked.Increment(ref _hung); lock (_held) _held.Add(ctx); continue; } // never answered
            using (var reader = new StreamReader(ctx.Request.InputStream)) await reader.ReadToEndAsync();
            var body = JsonSerializer.Serialize(new
            {
                id = "chatcmpl-1", @object = "chat.completion", model = "qwen3-vl",
                choices = new[] { new { index = 0, message = new { role = "assistant", content = Verdict }, finish_reason = "stop" } },
            });
            var bytes = Encoding.UTF8.GetBytes(body);
            ctx.Response.ContentType = "application/json";
            await ctx.Response.OutputStream.WriteAsync(bytes);
            ctx.Response.Close();
            Interlocked.Increment(ref _answered);
        }
    }

    public void Dispose()
    {
        foreach (var l in new[] { _works, _hangs }) { l.Stop(); l.Close(); }
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
        var model = $$$""", "Model": {"Backend": "openai", "OpenAi": {"BaseUrls": ["http://127.0.0.1:{{{HangsPort}}}/v1", "http://127.0.0.1:{{{WorksPort}}}/v1"], "Model": "qwen3-vl", "TimeoutSeconds": 2, "CircuitBreakerFailures": 1, "CircuitBreakerSeconds": 60}}""";
        await using var daemon = await DaemonProcess.StartAsync(cameras, extra: model);

        // alerts keep getting their verdict (the first requests alternate between the servers)
        await daemon.Process.WaitForLineAsync("ALERT update intrusion on yard .*intrusion \\(0.87\\): a person walks", TimeSpan.FromSeconds(120), occurrence: 2);
        Assert.True(_hung >= 1, "the hanging server was never asked, so this proves nothing");
        Assert.True(_answered >= 2);
        Assert.Equal(0, await daemon.StopAsync());
    }
}
