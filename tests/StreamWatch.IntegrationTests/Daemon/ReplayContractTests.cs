using System.Text.Json;
using StreamWatch.IntegrationTests.Support;

namespace StreamWatch.IntegrationTests.Daemon;

/// <summary>`streamwatch replay` on a generated clip through the real executable and a real ffmpeg.</summary>
public class ReplayContractTests : IAsyncLifetime
{
    private readonly string _dir = Repo.TempDir("replay");
    private string _clip = "";
    private string _config = "";

    public async Task InitializeAsync()
    {
        _clip = await TestClips.MovingBoxAsync(_dir, seconds: 12, enterS: 3);
        _config = Path.Combine(_dir, "replay.json");
        await File.WriteAllTextAsync(_config, """
            {"Cameras": [{"Name": "yard", "Url": "unused",
              "Zones": [{"Name": "lawn", "Polygon": "0,0.4 1,0.4 1,1 0,1"}],
              "Rules": [{"Name": "intrusion", "Type": "zone", "Zone": "lawn", "EndAfterSeconds": 2, "CooldownSeconds": 5}]}],
             "Output": {"StateDirectory": "STATE"}}
            """.Replace("STATE", Path.Combine(_dir, "state")));
    }

    public Task DisposeAsync() { Directory.Delete(_dir, true); return Task.CompletedTask; }

    private async Task<List<JsonElement>> ReplayAsync(string outFile)
    {
        await using var p = ChildProcess.Start("dotnet", new[] { Repo.DaemonDll, "replay", _clip, "--config", _config, "--events-out", outFile });
        var code = await p.WaitExitAsync(TimeSpan.FromMinutes(3));
        Assert.True(code == 0, $"replay exited {code}:\n{p.Tail()}");
        return File.ReadAllLines(outFile).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();
    }

    [Fact]
    public async Task A_box_crossing_the_zone_opens_the_gate_selects_keyframes_and_raises_one_alert()
    {
        var lines = await ReplayAsync(Path.Combine(_dir, "a.jsonl"));
        string Type(JsonElement e) => e.GetProperty("type").GetString()!;
        double Offset(JsonElement e) => e.GetProperty("offset_s").GetDouble();

        var starts = lines.Where(e => Type(e) == "motion" && e.GetProperty("state").GetString() == "start").ToList();
        Assert.NotEmpty(starts);
        Assert.InRange(Offset(starts[0]), 2.8, 4.2);           // the box enters at 3 s
        Assert.Contains(lines, e => Type(e) == "motion" && e.GetProperty("state").GetString() == "end");
        var keyframes = lines.Where(e => Type(e) == "keyframe").ToList();
        Assert.InRange(keyframes.Count, 2, 20);
        Assert.All(keyframes, k => Assert.InRange(Offset(k), 2.0, 12.0));

        var alerts = lines.Where(e => Type(e) == "alert").ToList();
        Assert.Equal("new", alerts[0].GetProperty("phase").GetString());
        Assert.Equal("intrusion", alerts[0].GetProperty("rule").GetString());
        Assert.Equal("lawn", alerts[0].GetProperty("zone").GetString());
        Assert.Equal("end", alerts[^1].GetProperty("phase").GetString());
        Assert.Single(alerts, a => a.GetProperty("phase").GetString() == "new");
        Assert.Matches(@"^\d\d:\d\d:\d\d\.\d{3}$", alerts[0].GetProperty("start_offset").GetString()!);
        // the daemon's id format; replay's stream starts at the Unix epoch
        Assert.Matches(@"^yard-intrusion-19700101T0000\d\dZ-1$", alerts[0].GetProperty("id").GetString()!);
        Assert.All(alerts, a => Assert.Equal(alerts[0].GetProperty("id").GetString(), a.GetProperty("id").GetString()));

        var summary = lines[^1];
        Assert.Equal("summary", Type(summary));
        Assert.Equal(60, summary.GetProperty("frames").GetInt64());   // 12 s at 5 fps
        Assert.Equal(keyframes.Count, summary.GetProperty("keyframes").GetInt32());
    }

    [Fact]
    public async Task Replay_is_deterministic_for_the_same_input_and_config()
    {
        var a = await ReplayAsync(Path.Combine(_dir, "1.jsonl"));
        var b = await ReplayAsync(Path.Combine(_dir, "2.jsonl"));
        static string Strip(List<JsonElement> l) => string.Join("\n", l.Where(e => e.GetProperty("type").GetString() != "summary").Select(e => e.GetRawText()));
        Assert.Equal(Strip(a), Strip(b));
    }
}
