using System.Net;
using System.Net.Http.Headers;
using StreamWatch.IntegrationTests.Daemon;
using StreamWatch.IntegrationTests.Support;

namespace StreamWatch.IntegrationTests.Store;

/// <summary>The real daemon: who may look, and that no secret reaches a page or API answer.</summary>
public class StoreDaemonTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task A_non_loopback_listener_without_credentials_exits_78_naming_the_key()
    {
        var dir = Repo.TempDir("noauth");
        var config = Path.Combine(dir, "open.json");
        await File.WriteAllTextAsync(config, """{"Cameras": [], "Observability": {"Listen": "0.0.0.0:0"}, "Output": {"StateDirectory": "state"}}""");
        await using var p = ChildProcess.Start("dotnet", [Repo.DaemonDll, "run", "--config", config], workDir: dir);
        Assert.Equal(78, await p.WaitExitAsync(Wait));
        Assert.Contains("Observability:Auth:Token", p.Output);
        Directory.Delete(dir, true);
    }

    [Fact]
    public async Task No_secret_appears_in_any_page_or_api_answer()
    {
        var clip = await TestClips.MovingBoxAsync(Repo.TempDir("clips"), seconds: 6);
        const string token = "tok-Zq81-secret";
        var cameras = $$"""[{"Name": "door", "Url": "{{clip}}", "Loop": true, "Realtime": true, "AnalysisFps": 5, "Rules": [{"Name": "any", "Type": "motion", "EndAfterSeconds": 1}]}]""";
        await using var daemon = await DaemonProcess.StartAsync(cameras, extra: $$$"""
            , "Mqtt": {"Enabled": false, "Username": "mq-user", "Password": "mq-s3cret-pw"},
              "Model": {"OpenAi": {"ApiKey": "sk-api-s3cret"}},
              "Observability": {"Auth": {"Token": "{{{token}}}"}}
            """);
        daemon.Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        await daemon.Process.WaitForLineAsync("camera door online: ", Wait);
        await daemon.Process.WaitForLineAsync("ALERT end", Wait);
        var ids = (await daemon.GetAsync("api/events")).Body;
        var id = System.Text.Json.JsonDocument.Parse(ids).RootElement.GetProperty("items")[0].GetProperty("id").GetString();
        foreach (var path in new[] { "", "ui/app.js", "api/status", "api/cameras", "api/events", $"api/events/{id}", "api/openapi.json", "metrics", "readyz", "healthz", "api/cameras/door/history" })
        {
            var (status, body) = await daemon.GetAsync(path);
            Assert.True(status is HttpStatusCode.OK, $"{path}: {status} {body}");
            foreach (var secret in new[] { token, "mq-s3cret-pw", "sk-api-s3cret", clip })
                Assert.DoesNotContain(secret, body);
        }
        daemon.Http.DefaultRequestHeaders.Authorization = null;
        Assert.Equal(HttpStatusCode.Unauthorized, (await daemon.GetAsync("api/events")).Status);
    }
}
