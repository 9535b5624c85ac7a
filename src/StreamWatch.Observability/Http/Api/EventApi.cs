using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using StreamWatch.Core.Frames;
using StreamWatch.Store;

namespace StreamWatch.Observability.Http.Api;

/// <summary>
/// The read API over the event store and the live cameras (docs/api.md, /api/openapi.json).
/// Bad input answers 400 with {"error": "..."} naming the parameter; nothing answers a stack trace.
/// Answers carry camera names, never their URLs or any credential.
/// </summary>
internal static class EventApi
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull };

    public static void Map(IEndpointRouteBuilder app, ApiSources api)
    {
        app.MapGet("/api/openapi.json", () => Results.Stream(typeof(EventApi).Assembly.GetManifestResourceStream("openapi.json")!, "application/json"));
        app.MapGet("/api/events", (HttpRequest r, CancellationToken ct) => Guard(api, async store =>
        {
            if (QueryError(r.Query) is { } error) return Bad(error);
            var q = Build(r.Query);
            // known: a live camera, or one with stored events (an indexed video file)
            if (q.Camera is { } cam && api.Cameras?.Cameras().Any(c => c.Name == cam) != true
                && (await store.SearchAsync(new EventQuery { Camera = cam, Limit = 1 }, ct)).Items.Count == 0)
                return Bad($"camera: unknown camera '{cam}'");
            EventPage page;
            try { page = await store.SearchAsync(q, ct); }
            catch (FormatException) { return Bad("cursor: malformed"); }
            return Results.Json(new { items = page.Items.Select(Summary), next = page.Next }, Json);
        }));
        app.MapGet("/api/events/stream", async (HttpContext c) =>
        {
            c.Response.ContentType = "text/event-stream";
            c.Response.Headers.CacheControl = "no-cache";
            var reader = api.Live.Subscribe(c.RequestAborted);
            await c.Response.WriteAsync(": live\n\n", c.RequestAborted);
            await c.Response.Body.FlushAsync(c.RequestAborted);
            try
            {
                await foreach (var json in reader.ReadAllAsync(c.RequestAborted))
                {
                    await c.Response.WriteAsync($"data: {json}\n\n", c.RequestAborted);
                    await c.Response.Body.FlushAsync(c.RequestAborted);
                }
            }
            catch (OperationCanceledException) { }
        });
        app.MapGet("/api/events/{id}", (string id, CancellationToken ct) => Guard(api, async store =>
            await store.GetAsync(id, ct) is { } d
                ? Results.Json(new
                {
                    @event = Summary(d.Event),
                    lifecycle = d.Lifecycle.Select(l => new { phase = l.Phase, time = Timecode.Utc(l.Utc), offset = Timecode.Offset(l.Offset) }),
                    verdicts = d.Verdicts.Select(v => new { time = Timecode.Utc(v.Utc), label = v.Label, confidence = v.Confidence, description = v.Description, model = v.Model, latency_ms = v.LatencyMs }),
                    keyframes = d.Keyframes.Select(k => new { index = k.Index, time = Timecode.Utc(k.Utc), offset = Timecode.Offset(k.Offset), url = $"/api/events/{Uri.EscapeDataString(id)}/keyframes/{k.Index}.jpg" }),
                }, Json)
                : NotFound($"no event '{id}'")));
        app.MapGet("/api/events/{id}/keyframes/{file}", (string id, string file, CancellationToken ct) => Guard(api, async store =>
        {
            if (!file.EndsWith(".jpg", StringComparison.Ordinal) || !int.TryParse(file[..^4], NumberStyles.None, CultureInfo.InvariantCulture, out var n))
                return Bad("keyframe: must be N.jpg");
            return await store.ReadKeyframeAsync(id, n, ct) is { } jpeg ? Results.Bytes(jpeg, "image/jpeg") : NotFound($"no keyframe {n} of event '{id}'");
        }));
        app.MapGet("/api/cameras", () => api.Cameras is { } cams
            ? Results.Json(cams.Cameras().Select(c => new { name = c.Name, state = c.Online ? "online" : "offline", reason = c.Reason, fps = Math.Round(c.Fps, 2), gate_open = c.GateOpen, open_alerts = c.OpenAlerts, node = c.Node, local = c.Local }), Json)
            : Unavailable());
        app.MapGet("/api/cameras/{name}/latest.jpg", (string name) =>
        {
            if (api.Cameras is not { } cams) return Unavailable();
            if (cams.Cameras().All(c => c.Name != name)) return NotFound($"no camera '{name}'");
            return cams.LatestJpeg(name) is { } jpeg ? Results.Bytes(jpeg, "image/jpeg") : NotFound($"camera '{name}' has no frame yet");
        });
        app.MapGet("/api/cameras/{name}/history", (string name, HttpRequest r, CancellationToken ct) => Guard(api, async store =>
        {
            if (api.Cameras is { } cams && cams.Cameras().All(c => c.Name != name)) return NotFound($"no camera '{name}'");
            var to = DateTimeOffset.UtcNow;
            var h = await store.CameraHistoryAsync(name, to.AddHours(-24), to.AddMinutes(1), ct);
            return Results.Json(h.Select(s => new { time = Timecode.Utc(s.Utc), state = s.Online ? "online" : "offline", reason = s.Reason }), Json);
        }));
    }

    private static object Summary(EventSummary e) => new
    {
        id = e.Id, camera = e.Camera, rule = e.Rule, zone = e.Zone, severity = e.Severity, phase = e.Phase,
        start = Timecode.Utc(e.Start), start_offset = Timecode.Offset(e.StartOffset),
        end = e.End is { } end ? Timecode.Utc(end) : null, end_offset = e.EndOffset is { } eo ? Timecode.Offset(eo) : null,
        label = e.Label, confidence = e.Confidence, description = e.Description, unverified = e.Unverified, keyframes = e.KeyframeCount,
    };

    /// <summary>Why the query string is bad, naming the parameter; null when it is fine.</summary>
    internal static string? QueryError(IQueryCollection q)
    {
        foreach (var key in new[] { "from", "to" })
            if (Text(q, key) is { } t && !TryTime(t, out _)) return $"{key}: malformed time (use ISO 8601, e.g. 2026-12-03T10:00:00Z)";
        if (Text(q, "limit") is { } l && (!int.TryParse(l, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n < 1 || n > EventQuery.MaxLimit))
            return $"limit: must be an integer 1..{EventQuery.MaxLimit}";
        if (Text(q, "min_confidence") is { } m && (!double.TryParse(m, NumberStyles.Float, CultureInfo.InvariantCulture, out var c) || c is < 0 or > 1 || double.IsNaN(c)))
            return "min_confidence: must be a number 0..1";
        if (Text(q, "cursor") is { } cur && !long.TryParse(cur, NumberStyles.None, CultureInfo.InvariantCulture, out _))
            return "cursor: malformed";
        return null;
    }

    private static EventQuery Build(IQueryCollection q) => new()
    {
        Text = Text(q, "q"), Camera = Text(q, "camera"), Rule = Text(q, "rule"), Label = Text(q, "label"),
        From = Text(q, "from") is { } f && TryTime(f, out var from) ? from : null,
        To = Text(q, "to") is { } t && TryTime(t, out var to) ? to : null,
        MinConfidence = Text(q, "min_confidence") is { } m ? double.Parse(m, CultureInfo.InvariantCulture) : null,
        Limit = Text(q, "limit") is { } l ? int.Parse(l, CultureInfo.InvariantCulture) : 50,
        Cursor = Text(q, "cursor"),
    };

    private static string? Text(IQueryCollection q, string key) => q.TryGetValue(key, out var v) && !string.IsNullOrWhiteSpace(v.ToString()) ? v.ToString() : null;

    private static bool TryTime(string text, out DateTimeOffset t) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out t);

    private static async Task<IResult> Guard(ApiSources api, Func<IEventStore, Task<IResult>> handle) =>
        api.Store is { } store ? await handle(store) : Unavailable();

    private static IResult Bad(string why) => Results.Json(new { error = why }, statusCode: 400);
    private static IResult NotFound(string why) => Results.Json(new { error = why }, statusCode: 404);
    private static IResult Unavailable() => Results.Json(new { error = "the event store is not open (starting, or Store:Enabled is false)" }, statusCode: 503);
}
