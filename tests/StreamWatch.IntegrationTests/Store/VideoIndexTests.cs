using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;
using StreamWatch.Cli;
using StreamWatch.IntegrationTests.Support;
using StreamWatch.Store;
using StreamWatch.Store.Sqlite;

namespace StreamWatch.IntegrationTests.Store;

/// <summary>
/// `streamwatch index VIDEO` in-process on a generated clip (a box crosses the scene at 2–6 s): real
/// ffmpeg, the real camera loop, a real model backend (a local OpenAI-compatible stand-in server, or
/// ONNX Runtime on the tiny Qwen3-VL fixture), the real SQLite store.
/// </summary>
public sealed class VideoIndexTests : IDisposable
{
    private const string Verdict = """{"description":"a person walks across the lawn","label":"intrusion","anomaly":true,"severity":"critical","confidence":0.87,"start":"00:00:02.000","end":"00:00:04.000"}""";
    private static readonly Regex Clock = new(@"^\d\d:\d\d:\d\d\.\d{3}$");
    private readonly string _dir = Repo.TempDir("index");
    private StandInModel? _model;

    public void Dispose()
    {
        _model?.Dispose();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, true);
    }

    [Fact]
    public async Task Openai_backend_gives_a_timeline_with_verdicts_and_searchable_stored_events()
    {
        _model = new StandInModel(Verdict);
        var (timeline, store, _) = await IndexAsync(new { Backend = "openai", OpenAi = new { BaseUrl = _model.BaseUrl, Model = "qwen3-vl" } });
        using var _ = store;
        Assert.True(_model.Requests >= 1);
        Assert.Equal("box-10-2", timeline.GetProperty("camera").GetString());
        var events = timeline.GetProperty("events").EnumerateArray().ToList();
        var first = Assert.Single(events);
        AssertTimed(first);
        Assert.Equal(("intrusion", 0.87, "a person walks across the lawn"),
            (first.GetProperty("label").GetString(), first.GetProperty("confidence").GetDouble(), first.GetProperty("description").GetString()));
        var start = TimeSpan.Parse(first.GetProperty("start").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(start.TotalSeconds, 1.5, 4); // the box enters at 2 s

        var found = await store.SearchAsync(new EventQuery { Text = "lawn", Camera = "box-10-2" });
        var stored = Assert.Single(found.Items);
        Assert.Equal(first.GetProperty("id").GetString(), stored.Id);
        Assert.Equal(("end", "intrusion"), (stored.Phase, stored.Label));
        Assert.Equal(first.GetProperty("keyframes").GetArrayLength(), stored.KeyframeCount);
        Assert.NotNull(await store.ReadKeyframeAsync(stored.Id, 0));
    }

    [Fact]
    public async Task Onnx_backend_on_the_tiny_fixture_indexes_and_stores_every_event()
    {
        var model = Path.Combine(Repo.Shared, "fixtures", "qwen3vl-tiny", "model");
        var (timeline, store, stderr) = await IndexAsync(new
        {
            Backend = "onnx", MaxPixels = 65_536, MaxNewTokens = 64,
            Onnx = new { ModelDirectory = model, TokenizerPath = Path.Combine(model, "tokenizer.json"), IntraOpThreads = 1 },
        });
        using var _ = store;
        var events = timeline.GetProperty("events").EnumerateArray().ToList();
        Assert.NotEmpty(events);
        foreach (var e in events) AssertTimed(e);
        // random weights rarely answer the schema: the model was asked, and an event it gave no verdict is still kept
        var page = await store.SearchAsync(new EventQuery { Camera = "box-10-2" });
        Assert.Equal(events.Select(e => e.GetProperty("id").GetString()).Order(), page.Items.Select(i => i.Id).Order());
        Assert.All(page.Items, i => Assert.True(i.Label != null || stderr.Contains($"gave no verdict for {i.Id}"), stderr));
    }

    private static void AssertTimed(JsonElement e)
    {
        Assert.Matches(Clock, e.GetProperty("start").GetString()!);
        Assert.Matches(Clock, e.GetProperty("end").GetString()!);
        Assert.True(string.CompareOrdinal(e.GetProperty("start").GetString(), e.GetProperty("end").GetString()) < 0);
        var keyframes = e.GetProperty("keyframes").EnumerateArray().Select(k => k.GetString()!).ToList();
        Assert.NotEmpty(keyframes);
        Assert.All(keyframes, k => Assert.Matches(Clock, k));
    }

    private async Task<(JsonElement Timeline, SqliteEventStore Store, string Stderr)> IndexAsync(object model)
    {
        var clip = await TestClips.MovingBoxAsync(_dir, seconds: 10, enterS: 2);
        var config = Path.Combine(_dir, "config.json");
        await File.WriteAllTextAsync(config, JsonSerializer.Serialize(new { Output = new { StateDirectory = Path.Combine(_dir, "state") }, Model = model }));
        var output = Path.Combine(_dir, "timeline.json");
        var (o, e) = (new StringWriter(), new StringWriter());
        var code = await StreamWatchCli.InvokeAsync(["index", clip, "--config", config, "--out", output], o, e);
        Assert.True(code == 0, e.ToString());
        Assert.DoesNotContain("\r", e.ToString()); // stderr is no terminal here: no progress bar
        var timeline = JsonDocument.Parse(await File.ReadAllTextAsync(output)).RootElement;
        return (timeline, new SqliteEventStore(Path.Combine(_dir, "state", "events.db"), new StoreLimits(TimeSpan.FromDays(36500), long.MaxValue / 4)), e.ToString());
    }
}
