using System.Text.Json;
using StreamWatch.Observability;
using StreamWatch.Observability.Http;
using StreamWatch.Core.Config;

namespace StreamWatch.Tests.Observability;

public class HealthStateTests
{
    [Fact]
    public void Not_ready_until_config_loaded_cameras_online_and_sinks_connected()
    {
        var h = new HealthState();
        h.SetCamera("front", false, "starting");
        h.SetSink("mqtt", false);
        var s = h.Snapshot();
        Assert.False(s.Ready);
        Assert.Equal(["configuration not loaded", "camera 'front' offline: starting", "sink 'mqtt' not connected"], s.NotReady);

        h.SetConfigLoaded();
        h.SetCamera("front", true);
        Assert.False(h.Snapshot().Ready);
        h.SetSink("mqtt", true);
        Assert.True(h.Snapshot().Ready);
        Assert.Empty(h.Snapshot().NotReady);

        h.SetCamera("front", false, "stalled");
        Assert.Equal(["camera 'front' offline: stalled"], h.Snapshot().NotReady);
        h.SetCamera("front", true);
        Assert.True(h.Snapshot().Ready);
    }

    [Fact]
    public void Changed_fires_on_changes_only_and_the_summary_says_what_is_missing()
    {
        var h = new HealthState();
        var changes = 0;
        h.Changed += () => changes++;
        h.SetCamera("front", false, "starting");
        h.SetCamera("front", false, "starting");
        Assert.Equal(1, changes);
        Assert.Equal("not ready (0/1 cameras online): configuration not loaded; camera 'front' offline: starting", h.Snapshot().Summary);
        h.SetCamera("front", false, "stalled");
        h.SetConfigLoaded();
        h.SetConfigLoaded();
        h.SetCamera("front", true);
        h.SetSink("jsonl", true);
        h.SetSink("jsonl", true);
        Assert.Equal(5, changes);
        Assert.Equal("ready: 1/1 cameras online, 1/1 sinks connected", h.Snapshot().Summary);
    }

    [Fact]
    public void Since_changes_only_when_the_state_changes()
    {
        var time = new ManualTime();
        var h = new HealthState(time);
        h.SetCamera("a", true);
        var t0 = h.Snapshot().Cameras[0].Since;
        time.Advance(TimeSpan.FromSeconds(10));
        h.SetCamera("a", true);
        Assert.Equal(t0, h.Snapshot().Cameras[0].Since);
        h.SetCamera("a", false, "gone");
        Assert.Equal(t0.AddSeconds(10), h.Snapshot().Cameras[0].Since);
    }

    [Fact]
    public void Readiness_json_explains_what_is_not_ready()
    {
        var h = new HealthState();
        h.SetConfigLoaded();
        h.SetCamera("front", true);
        h.SetCamera("back", false, "ffmpeg exited 1");
        using var doc = JsonDocument.Parse(HealthJson.Readiness(h.Snapshot()));
        var r = doc.RootElement;
        Assert.False(r.GetProperty("ready").GetBoolean());
        Assert.True(r.GetProperty("config_loaded").GetBoolean());
        Assert.Equal("camera 'back' offline: ffmpeg exited 1", r.GetProperty("not_ready")[0].GetString());
        Assert.True(r.GetProperty("cameras").GetProperty("front").GetBoolean());
        Assert.False(r.GetProperty("cameras").GetProperty("back").GetBoolean());
    }

    [Fact]
    public void Status_json_lists_per_camera_state()
    {
        var time = new ManualTime();
        var h = new HealthState(time);
        h.SetConfigLoaded();
        h.SetCamera("front", false, "stalled");
        h.SetSink("jsonl", true);
        time.Advance(TimeSpan.FromSeconds(90));
        using var doc = JsonDocument.Parse(HealthJson.Status(h.Snapshot(), "1.2.3"));
        var r = doc.RootElement;
        Assert.Equal("1.2.3", r.GetProperty("version").GetString());
        Assert.Equal(90, r.GetProperty("uptime_seconds").GetDouble());
        var cam = r.GetProperty("cameras")[0];
        Assert.Equal("front", cam.GetProperty("name").GetString());
        Assert.Equal("offline", cam.GetProperty("state").GetString());
        Assert.Equal("stalled", cam.GetProperty("reason").GetString());
        Assert.Equal("connected", r.GetProperty("sinks")[0].GetProperty("state").GetString());
    }

    [Theory]
    [InlineData("127.0.0.1:9464", true)]
    [InlineData("[::1]:0", true)]
    [InlineData("127.0.0.1", false)]
    [InlineData("localhost:9464", false)]
    [InlineData("127.0.0.1:70000", false)]
    [InlineData("", false)]
    public void Listen_must_be_ip_and_port(string listen, bool ok)
    {
        var errors = new ConfigErrors();
        new ObservabilityOptions { Listen = listen }.Validate("Observability", errors);
        Assert.Equal(!ok, errors.Any);
        if (!ok) Assert.StartsWith("Observability:Listen:", errors.Errors[0]);
    }

    private sealed class ManualTime : TimeProvider
    {
        private DateTimeOffset _now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        public override DateTimeOffset GetUtcNow() => _now;
        public void Advance(TimeSpan d) => _now += d;
    }
}
