using System.Globalization;
using System.Text.Json;
using StreamWatch.Core.Verdicts;

namespace StreamWatch.Inference.Profiles;

/// <summary>
/// Maps a schema-valid answer to a <see cref="Verdict"/>. Fields a profile lacks get defaults:
/// confidence 0, severity "info", description "", anomaly = label is not "none"/"other".
/// start/end (or time) are HH:MM:SS.sss strings or seconds; unreadable times become null.
/// </summary>
public static class VerdictParser
{
    public static Verdict Parse(string rawJson, string model, double latencyMs)
    {
        using var doc = JsonDocument.Parse(rawJson);
        var r = doc.RootElement;
        var label = r.GetProperty("label").GetString()!;
        var from = Time(r, "start") ?? Time(r, "time");
        var to = Time(r, "end") ?? Time(r, "time");
        return new Verdict(
            label,
            r.TryGetProperty("confidence", out var c) && c.ValueKind == JsonValueKind.Number ? Math.Clamp(c.GetDouble(), 0, 1) : 0,
            r.TryGetProperty("severity", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString()! : "info",
            r.TryGetProperty("description", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString()! : "",
            r.TryGetProperty("anomaly", out var a) && a.ValueKind is JsonValueKind.True or JsonValueKind.False ? a.GetBoolean() : label is not ("none" or "other"),
            from, to, model, rawJson, latencyMs);
    }

    private static TimeSpan? Time(JsonElement r, string key)
    {
        if (!r.TryGetProperty(key, out var v)) return null;
        if (v.ValueKind == JsonValueKind.Number && v.TryGetDouble(out var sec) && sec >= 0 && sec < 1e7) return TimeSpan.FromSeconds(sec);
        if (v.ValueKind != JsonValueKind.String) return null;
        string[] formats = [@"hh\:mm\:ss\.fff", @"hh\:mm\:ss", @"h\:mm\:ss\.fff", @"mm\:ss\.fff", @"mm\:ss"];
        return TimeSpan.TryParseExact(v.GetString(), formats, CultureInfo.InvariantCulture, out var t) ? t : null;
    }
}
