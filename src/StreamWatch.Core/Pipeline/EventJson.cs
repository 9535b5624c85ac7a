using System.Buffers;
using System.Text;
using System.Text.Json;
using StreamWatch.Core.Alerts;
using StreamWatch.Core.Frames;

namespace StreamWatch.Core.Pipeline;

/// <summary>
/// The JSON-lines event format shared by <c>streamwatch replay</c> and the live JSONL sink
/// (documented in docs/events.md). Replay leaves out wall-clock fields so its output is
/// deterministic for the same input and configuration.
/// </summary>
public static class EventJson
{
    /// <summary>Writes one event as a single JSON line (no trailing newline); null for events the format skips.</summary>
    public static string? Format(PipelineEvent e, bool wallClock)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            switch (e)
            {
                case MotionChanged m:
                    w.WriteString("type", "motion");
                    w.WriteString("state", m.Active ? "start" : "end");
                    Common(w, e, wallClock);
                    w.WriteNumber("score", Math.Round(m.Score, 3));
                    break;
                case KeyframeSelected k:
                    w.WriteString("type", "keyframe");
                    Common(w, e, wallClock);
                    w.WriteNumber("score", Math.Round(k.Keyframe.Score, 3));
                    if (k.Keyframe.PreRoll) w.WriteBoolean("preroll", true);
                    break;
                case AlertChanged a:
                    w.WriteString("type", "alert");
                    w.WriteString("phase", Phase(a.Alert.Phase));
                    w.WriteString("rule", a.Alert.Rule);
                    Common(w, e, wallClock);
                    WriteAlertFields(w, a.Alert, wallClock);
                    break;
                case CameraStateChanged s:
                    w.WriteString("type", "camera");
                    w.WriteString("state", s.Online ? "online" : "offline");
                    Common(w, e, wallClock);
                    w.WriteString("reason", s.Reason.Text());
                    break;
                default:
                    return null;
            }
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    public static string Phase(AlertPhase p) => p switch { AlertPhase.New => "new", AlertPhase.Update => "update", _ => "end" };

    private static void Common(Utf8JsonWriter w, PipelineEvent e, bool wallClock)
    {
        w.WriteNumber("offset_s", Timecode.Seconds(e.Offset));
        w.WriteString("camera", e.Camera);
        if (wallClock) w.WriteString("time", Timecode.Utc(e.Utc));
    }

    private static void WriteAlertFields(Utf8JsonWriter w, Alert a, bool wallClock)
    {
        w.WriteString("id", a.Id);
        w.WriteString("severity", a.Severity);
        if (a.Zone != null) w.WriteString("zone", a.Zone);
        w.WriteString("start_offset", Timecode.Offset(a.StartOffset));
        if (wallClock) w.WriteString("start", Timecode.Utc(a.Start));
        if (wallClock && a.End is { } end) w.WriteString("end", Timecode.Utc(end));
        if (a.Label != null) w.WriteString("label", a.Label);
        if (a.Confidence is { } c) w.WriteNumber("confidence", Math.Round(c, 3));
        if (a.Description != null) w.WriteString("description", a.Description);
        if (a.Model != null) w.WriteString("model", a.Model);
        if (a.EndReason is { } why) w.WriteString("reason", why.Text());
        else if (a.Unverified) w.WriteString("reason", AlertReason.Unverified.Text());
        w.WriteNumber("keyframes", a.Keyframes.Count);
    }
}
