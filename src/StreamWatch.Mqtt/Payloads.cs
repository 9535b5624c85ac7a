using System.Buffers;
using System.Text.Json;
using System.Text.Json.Nodes;
using StreamWatch.Core.Alerts;
using StreamWatch.Core.Frames;
using StreamWatch.Core.Keyframes;

namespace StreamWatch.Mqtt;

/// <summary>Per-camera figures for the stats topic.</summary>
public sealed record CameraStats(double Fps, double GateOpenRatio, int QueueDepth);

/// <summary>What the daemon reports on the stats topic; the sink adds uptime, outbox depth and connection.</summary>
public sealed record StatsSnapshot(IReadOnlyDictionary<string, CameraStats> Cameras, IReadOnlyDictionary<string, long> Queues);

/// <summary>Builds the JSON payloads of docs/mqtt.md. Pure.</summary>
public static class Payloads
{
    /// <summary>Version of the events payload schema; bump on incompatible change.</summary>
    public const int EventSchema = 1;

    public static byte[] AlertEvent(Alert a) => Write(w =>
    {
        w.WriteNumber("schema", EventSchema);
        w.WriteString("type", a.Phase switch { AlertPhase.New => "new", AlertPhase.Update => "update", _ => "end" });
        w.WriteString("id", a.Id);
        w.WriteString("camera", a.Camera);
        w.WriteString("rule", a.Rule);
        w.WriteString("label", a.Label);
        w.WriteString("severity", a.Severity);
        WriteNumber(w, "confidence", a.Confidence);
        w.WriteString("description", a.Description);
        w.WriteString("start", Timecode.Utc(a.Start));
        if (a.End is { } end) w.WriteString("end", Timecode.Utc(end)); else w.WriteNull("end");
        w.WriteString("start_offset", Timecode.Offset(a.StartOffset));
        w.WriteString("offset", Timecode.Offset(a.Offset));
        w.WriteStartArray("keyframes");
        foreach (var k in a.Keyframes)
        {
            w.WriteStartObject();
            w.WriteString("time", Timecode.Utc(k.CapturedUtc));
            w.WriteString("offset", Timecode.Offset(k.Offset));
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteString("zone", a.Zone);
        w.WriteString("model", a.Model);
        WriteNumber(w, "latency_ms", a.LatencyMs is { } l ? Math.Round(l, 1) : null);
        if (a.EndReason is { } why) w.WriteString("reason", why.Text());
        else if (a.Unverified) w.WriteString("reason", AlertReason.Unverified.Text());
    });

    /// <summary>
    /// The <c>end</c> event for an alert a crashed process left open: its last event with type
    /// <c>end</c>, <c>end</c> = <paramref name="now"/> (the restart) and <c>reason</c> = <c>restart</c>.
    /// </summary>
    public static byte[] RestartEnd(byte[] lastEvent, DateTimeOffset now)
    {
        var o = JsonNode.Parse(lastEvent) as JsonObject ?? throw new FormatException("alert event is not a JSON object");
        o["type"] = "end";
        o["end"] = Timecode.Utc(now);
        o["reason"] = AlertReason.Restart.Text();
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var w = new Utf8JsonWriter(buffer)) o.WriteTo(w);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Retained per-rule state: ON while the alert is open, with its last description.</summary>
    public static byte[] RuleState(Alert? a) => Write(w =>
    {
        w.WriteString("state", a != null && a.Phase != AlertPhase.End ? "ON" : "OFF");
        w.WriteString("id", a?.Id);
        w.WriteString("label", a?.Label);
        w.WriteString("description", a?.Description);
        w.WriteString("severity", a?.Severity);
        if (a != null) w.WriteString("time", Timecode.Utc(a.End ?? a.Start)); else w.WriteNull("time");
    });

    public static byte[] Stats(StatsSnapshot s, TimeSpan uptime, long outboxDepth, bool connected, DateTimeOffset now) => Write(w =>
    {
        w.WriteString("time", Timecode.Utc(now));
        w.WriteNumber("uptime_s", Math.Round(uptime.TotalSeconds, 1));
        w.WriteStartObject("cameras");
        foreach (var (name, c) in s.Cameras)
        {
            w.WriteStartObject(name);
            w.WriteNumber("fps", Math.Round(c.Fps, 2));
            w.WriteNumber("gate_rate", Math.Round(c.GateOpenRatio, 3));
            w.WriteNumber("queue", c.QueueDepth);
            w.WriteEndObject();
        }
        w.WriteEndObject();
        w.WriteStartObject("queues");
        foreach (var (name, depth) in s.Queues) w.WriteNumber(name, depth);
        w.WriteNumber("mqtt_outbox", outboxDepth);
        w.WriteEndObject();
        w.WriteBoolean("mqtt_connected", connected);
    });

    /// <summary>The keyframe a snapshot shows: highest score, latest on ties; null when there is none.</summary>
    public static Keyframe? BestKeyframe(IReadOnlyList<Keyframe> keyframes)
    {
        Keyframe? best = null;
        foreach (var k in keyframes)
            if (k.I420.Length >= k.Width * k.Height * 3 / 2 && (best == null || k.Score >= best.Score)) best = k;
        return best;
    }

    private static void WriteNumber(Utf8JsonWriter w, string name, double? value)
    {
        if (value is { } v && double.IsFinite(v)) w.WriteNumber(name, v); else w.WriteNull(name);
    }

    internal static byte[] Write(Action<Utf8JsonWriter> body)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            body(w);
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }
}
