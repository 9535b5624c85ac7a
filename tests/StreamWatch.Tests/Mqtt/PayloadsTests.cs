using System.Text.Json;
using StreamWatch.Core.Alerts;
using StreamWatch.Core.Keyframes;
using StreamWatch.Mqtt;

namespace StreamWatch.Tests.Mqtt;

public class PayloadsTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 22, 10, 0, 0, 123, TimeSpan.Zero);

    private static Keyframe Kf(float score, int secs) =>
        new("cam1", T0.AddSeconds(secs), TimeSpan.FromSeconds(60 + secs), score, false, 4, 2, new byte[12]);

    private static Alert Alert(AlertPhase phase) => new()
    {
        Id = "a-1", Camera = "cam1", Rule = "door", Phase = phase, Start = T0, StartOffset = TimeSpan.FromMilliseconds(3_723_456),
        Offset = TimeSpan.FromSeconds(3725), End = phase == AlertPhase.End ? T0.AddSeconds(9.5) : null,
        Keyframes = [Kf(0.5f, 1), Kf(0.9f, 2)], Zone = "porch", Label = phase == AlertPhase.New ? null : "person",
        Confidence = phase == AlertPhase.New ? null : 0.87, Description = phase == AlertPhase.New ? null : "A person at the door",
        Model = phase == AlertPhase.New ? null : "qwen3-vl-2b", LatencyMs = phase == AlertPhase.New ? null : 812.34, Severity = "warning",
    };

    [Fact]
    public void New_alert_event_has_every_documented_field_with_nulls_for_model_fields()
    {
        using var doc = JsonDocument.Parse(Payloads.AlertEvent(Alert(AlertPhase.New)));
        var r = doc.RootElement;
        string[] keys = ["schema", "type", "id", "camera", "rule", "label", "severity", "confidence", "description", "start", "end",
            "start_offset", "offset", "keyframes", "zone", "model", "latency_ms"];
        Assert.Equal(keys, r.EnumerateObject().Select(p => p.Name));
        Assert.Equal(1, r.GetProperty("schema").GetInt32());
        Assert.Equal("new", r.GetProperty("type").GetString());
        Assert.Equal("2026-11-22T10:00:00.123Z", r.GetProperty("start").GetString());
        Assert.Equal("01:02:03.456", r.GetProperty("start_offset").GetString());
        foreach (var k in new[] { "label", "confidence", "description", "end", "model", "latency_ms" })
            Assert.Equal(JsonValueKind.Null, r.GetProperty(k).ValueKind);
        var kfs = r.GetProperty("keyframes").EnumerateArray().ToList();
        Assert.Equal(2, kfs.Count);
        Assert.Equal("2026-11-22T10:00:01.123Z", kfs[0].GetProperty("time").GetString());
        Assert.Equal("00:01:01.000", kfs[0].GetProperty("offset").GetString());
    }

    [Fact]
    public void End_alert_event_carries_end_time_and_model_fields()
    {
        using var doc = JsonDocument.Parse(Payloads.AlertEvent(Alert(AlertPhase.End)));
        var r = doc.RootElement;
        Assert.Equal("end", r.GetProperty("type").GetString());
        Assert.Equal("2026-11-22T10:00:09.623Z", r.GetProperty("end").GetString());
        Assert.Equal(0.87, r.GetProperty("confidence").GetDouble());
        Assert.Equal(812.3, r.GetProperty("latency_ms").GetDouble());
        Assert.Equal("A person at the door", r.GetProperty("description").GetString());
    }

    [Fact]
    public void An_unverified_alert_says_so_in_reason()
    {
        Assert.False(JsonDocument.Parse(Payloads.AlertEvent(Alert(AlertPhase.New))).RootElement.TryGetProperty("reason", out _));
        var r = JsonDocument.Parse(Payloads.AlertEvent(Alert(AlertPhase.New) with { Unverified = true })).RootElement;
        Assert.Equal("unverified", r.GetProperty("reason").GetString());
    }

    [Fact]
    public void Rule_state_is_on_while_open_and_off_after_end_or_before_any_alert()
    {
        string State(byte[] json) => JsonDocument.Parse(json).RootElement.GetProperty("state").GetString()!;
        Assert.Equal("ON", State(Payloads.RuleState(Alert(AlertPhase.New))));
        Assert.Equal("ON", State(Payloads.RuleState(Alert(AlertPhase.Update))));
        Assert.Equal("OFF", State(Payloads.RuleState(Alert(AlertPhase.End))));
        Assert.Equal("OFF", State(Payloads.RuleState(null)));
        Assert.Equal("A person at the door", JsonDocument.Parse(Payloads.RuleState(Alert(AlertPhase.End))).RootElement.GetProperty("description").GetString());
    }

    [Fact]
    public void Best_keyframe_is_the_highest_score_and_skips_truncated_images()
    {
        Assert.Equal(0.9f, Payloads.BestKeyframe([Kf(0.5f, 1), Kf(0.9f, 2), Kf(0.7f, 3)])!.Score);
        var truncated = Kf(1f, 4) with { I420 = new byte[3] };
        Assert.Equal(0.5f, Payloads.BestKeyframe([Kf(0.5f, 1), truncated])!.Score);
        Assert.Null(Payloads.BestKeyframe([]));
    }

    [Fact]
    public void Stats_payload_lists_cameras_queues_outbox_and_uptime()
    {
        var s = new StatsSnapshot(new Dictionary<string, CameraStats> { ["cam1"] = new(4.987, 0.1234, 2) },
            new Dictionary<string, long> { ["model"] = 3 });
        using var doc = JsonDocument.Parse(Payloads.Stats(s, TimeSpan.FromSeconds(90.04), 7, true, T0));
        var r = doc.RootElement;
        Assert.Equal(90.0, r.GetProperty("uptime_s").GetDouble());
        Assert.Equal(4.99, r.GetProperty("cameras").GetProperty("cam1").GetProperty("fps").GetDouble());
        Assert.Equal(0.123, r.GetProperty("cameras").GetProperty("cam1").GetProperty("gate_rate").GetDouble());
        Assert.Equal(3, r.GetProperty("queues").GetProperty("model").GetInt64());
        Assert.Equal(7, r.GetProperty("queues").GetProperty("mqtt_outbox").GetInt64());
        Assert.True(r.GetProperty("mqtt_connected").GetBoolean());
    }

    [Fact]
    public void A_restart_end_is_the_last_event_turned_into_end_at_the_restart_with_reason_restart()
    {
        var last = Payloads.AlertEvent(Alert(AlertPhase.Update));
        using var doc = JsonDocument.Parse(Payloads.RestartEnd(last, T0.AddMinutes(5)));
        var r = doc.RootElement;
        Assert.Equal("end", r.GetProperty("type").GetString());
        Assert.Equal("2026-11-22T10:05:00.123Z", r.GetProperty("end").GetString());
        Assert.Equal("restart", r.GetProperty("reason").GetString());
        Assert.Equal("a-1", r.GetProperty("id").GetString());
        Assert.Equal("A person at the door", r.GetProperty("description").GetString());
        using var before = JsonDocument.Parse(last);
        Assert.Equal(before.RootElement.EnumerateObject().Select(p => p.Name).Append("reason"), r.EnumerateObject().Select(p => p.Name));
        Assert.Throws<FormatException>(() => Payloads.RestartEnd("[1]"u8.ToArray(), T0));
    }
}
