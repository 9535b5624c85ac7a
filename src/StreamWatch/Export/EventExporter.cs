using System.Buffers;
using System.Text;
using System.Text.Json;
using StreamWatch.Core.Frames;
using StreamWatch.Store;

namespace StreamWatch.Export;

/// <summary>
/// Writes stored events as NDJSON, one document per line, or as Elasticsearch <c>_bulk</c> NDJSON:
/// an action line <c>{"index":{"_index":INDEX,"_id":ID}}</c> before each document, so loading
/// an export again overwrites instead of duplicating (docs/export.md). Newest first.
/// </summary>
public static class EventExporter
{
    public const string DefaultIndex = "streamwatch-events";

    /// <returns>How many events were written.</returns>
    public static async Task<int> WriteAsync(IEventStore store, EventQuery filter, bool esBulk, string index, TextWriter output, CancellationToken ct)
    {
        var count = 0;
        string? cursor = null;
        do
        {
            var page = await store.SearchAsync(filter with { Limit = EventQuery.MaxLimit, Cursor = cursor }, ct);
            foreach (var e in page.Items)
            {
                if (esBulk) await output.WriteLineAsync(Line(w =>
                {
                    w.WriteStartObject("index");
                    w.WriteString("_index", index);
                    w.WriteString("_id", e.Id);
                    w.WriteEndObject();
                }));
                await output.WriteLineAsync(Line(w => Document(w, e)));
                count++;
            }
            cursor = page.Next;
        } while (cursor != null);
        await output.FlushAsync(ct);
        return count;
    }

    /// <summary>The document: every field always present, null where unknown (types in docs/export.md).</summary>
    private static void Document(Utf8JsonWriter w, EventSummary e)
    {
        w.WriteString("@timestamp", Timecode.Utc(e.Start));
        w.WriteString("id", e.Id);
        w.WriteString("camera", e.Camera);
        w.WriteString("rule", e.Rule);
        w.WriteString("zone", e.Zone);
        w.WriteString("severity", e.Severity);
        w.WriteString("phase", e.Phase);
        w.WriteString("start", Timecode.Utc(e.Start));
        w.WriteString("start_offset", Timecode.Offset(e.StartOffset));
        if (e.End is { } end) w.WriteString("end", Timecode.Utc(end)); else w.WriteNull("end");
        if (e.EndOffset is { } eo) w.WriteString("end_offset", Timecode.Offset(eo)); else w.WriteNull("end_offset");
        w.WriteString("label", e.Label);
        if (e.Confidence is { } c) w.WriteNumber("confidence", c); else w.WriteNull("confidence");
        w.WriteString("description", e.Description);
        w.WriteBoolean("unverified", e.Unverified);
        w.WriteNumber("keyframes", e.KeyframeCount);
    }

    private static string Line(Action<Utf8JsonWriter> body)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            body(w);
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
