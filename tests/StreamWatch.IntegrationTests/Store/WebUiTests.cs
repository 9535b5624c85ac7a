using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Playwright;
using StreamWatch.IntegrationTests.Daemon;
using StreamWatch.IntegrationTests.Support;

namespace StreamWatch.IntegrationTests.Store;

/// <summary>
/// The web UI in a real browser (Debian's chromium driven by Playwright) against the real daemon on a
/// demo camera, with a local OpenAI-compatible stand-in whose description carries HTML and a script.
/// Screenshots go to bin/…/artifacts/.
/// </summary>
public sealed class WebUiTests : IDisposable
{
    private const string Word = "zebracrossing";
    private const string Description = $"a courier on the {Word} <script>window.__xss = 1</script><img src=x onerror=\"window.__xss = 2\">";
    private readonly StandInModel _model = new(JsonSerializer.Serialize(new { description = Description, label = "intrusion", anomaly = true, severity = "critical", confidence = 0.87, start = "00:00:02.000", end = "00:00:04.000" }));
    private readonly string _dir = Repo.TempDir("webui");
    public static string Artifacts => Path.Combine(AppContext.BaseDirectory, "artifacts");

    public void Dispose()
    {
        _model.Dispose();
        Directory.Delete(_dir, true);
    }

    [Fact]
    public async Task The_tile_appears_an_alert_arrives_live_search_finds_it_and_the_detail_shows_keyframes()
    {
        var clip = await TestClips.MovingBoxAsync(_dir, seconds: 10, enterS: 2);
        var cameras = $$"""
            [{"Name": "demo", "Url": "{{clip}}", "Loop": true, "Realtime": true, "AnalysisFps": 5,
              "Zones": [{"Name": "path", "Polygon": "0,0.4 1,0.4 1,1 0,1"}],
              "Rules": [{"Name": "intrusion", "Zone": "path", "Profile": "security", "EndAfterSeconds": 2, "CooldownSeconds": 1}]}]
            """;
        var model = $$$""", "Model": {"Backend": "openai", "OpenAi": {"BaseUrl": "{{{_model.BaseUrl}}}", "Model": "qwen3-vl"}}""";
        await using var daemon = await DaemonProcess.StartAsync(cameras, extra: model);
        Directory.CreateDirectory(Artifacts);

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = "/usr/bin/chromium", Headless = true, Args = ["--no-sandbox"] });
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 390, Height = 844 } }); // a phone
        var errors = new List<string>();
        page.PageError += (_, e) => errors.Add(e);
        await page.GotoAsync(daemon.Http.BaseAddress!.ToString());

        var tile = page.Locator(".tile[data-camera=demo]");
        await tile.WaitForAsync(new() { Timeout = 60_000 });
        await page.Locator(".tile[data-camera=demo] .badge.online").WaitForAsync(new() { Timeout = 60_000 });
        await page.ScreenshotAsync(new() { Path = Path.Combine(Artifacts, "webui-tile.png") });

        // live, without a reload: the alert with the model's verdict shows up in the live list
        var liveItem = page.Locator("#live li", new() { HasText = Word }).First;
        await liveItem.WaitForAsync(new() { Timeout = 120_000 });
        Assert.Contains("<script>", await liveItem.Locator(".description").TextContentAsync()); // shown as text

        await page.FillAsync("#search input[name=q]", Word);
        await page.ClickAsync("#search button[type=submit]");
        var result = page.Locator("#results li", new() { HasText = Word }).First;
        await result.WaitForAsync(new() { Timeout = 30_000 });
        Assert.Contains("<img src=x onerror=", await result.Locator(".description").TextContentAsync());

        await result.ClickAsync();
        var keyframe = page.Locator("#detail-keyframes img").First;
        await keyframe.WaitForAsync(new() { Timeout = 30_000 });
        await page.WaitForFunctionAsync("() => { const i = document.querySelector('#detail-keyframes img'); return i && i.complete && i.naturalWidth > 0; }",
            null, new() { Timeout = 30_000 });
        Assert.Contains("offset", await page.Locator("#detail-keyframes figcaption").First.TextContentAsync());
        Assert.True(await page.Locator("#detail-lifecycle li").CountAsync() >= 1);
        await page.ScreenshotAsync(new() { Path = Path.Combine(Artifacts, "webui-detail.png"), FullPage = true });

        Assert.Null(await page.EvaluateAsync<int?>("() => window.__xss ?? null")); // no model text ran as code
        Assert.Empty(errors);

        var desktop = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1280, Height = 900 } });
        await desktop.GotoAsync(daemon.Http.BaseAddress!.ToString());
        await desktop.Locator(".timeline .bar").First.WaitForAsync(new() { Timeout = 30_000 });
        Assert.DoesNotContain("null", await desktop.Locator(".tile[data-camera=demo] .name").TextContentAsync());
        await desktop.FillAsync("#search input[name=q]", Word);
        await desktop.ClickAsync("#search button[type=submit]");
        await desktop.Locator("#results li", new() { HasText = Word }).First.ClickAsync();
        await desktop.Locator("#detail-keyframes img").First.WaitForAsync(new() { Timeout = 30_000 });
        await desktop.ScreenshotAsync(new() { Path = Path.Combine(Artifacts, "webui.png"), FullPage = true });
    }
}
