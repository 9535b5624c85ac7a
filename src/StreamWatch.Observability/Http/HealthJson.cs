using System.Text.Json;

namespace StreamWatch.Observability.Http;

/// <summary>The JSON bodies of /readyz and /api/status (snake_case, stable field names).</summary>
public static class HealthJson
{
    public static string Readiness(HealthSnapshot s) => Write(w =>
    {
        w.WriteBoolean("ready", s.Ready);
        w.WriteBoolean("config_loaded", s.ConfigLoaded);
        w.WriteStartArray("not_ready");
        foreach (var r in s.NotReady) w.WriteStringValue(r);
        w.WriteEndArray();
        w.WriteStartObject("cameras");
        foreach (var c in s.Cameras) w.WriteBoolean(c.Name, c.Online);
        w.WriteEndObject();
        w.WriteStartObject("sinks");
        foreach (var k in s.Sinks) w.WriteBoolean(k.Name, k.Connected);
        w.WriteEndObject();
    });

    public static string Status(HealthSnapshot s, string version) => Write(w =>
    {
        w.WriteString("version", version);
        w.WriteBoolean("ready", s.Ready);
        w.WriteBoolean("config_loaded", s.ConfigLoaded);
        w.WriteString("started_at", s.StartedAt);
        w.WriteNumber("uptime_seconds", Math.Round((s.At - s.StartedAt).TotalSeconds, 3));
        w.WriteStartArray("not_ready");
        foreach (var r in s.NotReady) w.WriteStringValue(r);
        w.WriteEndArray();
        w.WriteStartArray("cameras");
        foreach (var c in s.Cameras)
        {
            w.WriteStartObject();
            w.WriteString("name", c.Name);
            w.WriteString("state", c.Online ? "online" : "offline");
            if (c.Reason is null) w.WriteNull("reason"); else w.WriteString("reason", c.Reason);
            w.WriteString("since", c.Since);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartArray("sinks");
        foreach (var k in s.Sinks)
        {
            w.WriteStartObject();
            w.WriteString("name", k.Name);
            w.WriteString("state", k.Connected ? "connected" : "disconnected");
            w.WriteString("since", k.Since);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    });

    // Relaxed escaping keeps ' and + readable; the bodies are JSON API answers, never embedded in HTML.
    private static readonly JsonWriterOptions Options = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static string Write(Action<Utf8JsonWriter> body)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, Options))
        {
            w.WriteStartObject();
            body(w);
            w.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(ms.ToArray());
    }
}
