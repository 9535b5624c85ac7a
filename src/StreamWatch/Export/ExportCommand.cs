using System.Globalization;
using System.Text.Json;
using StreamWatch.Config;
using StreamWatch.Store;
using StreamWatch.Store.Sqlite;

namespace StreamWatch.Export;

/// <summary>
/// `streamwatch export`: the configured event store's events (newest first) as NDJSON, either one
/// document per line or as Elasticsearch <c>_bulk</c> pairs whose <c>_id</c> is the event id, so a
/// re-export overwrites instead of duplicating. Fields: docs/export.md.
/// </summary>
public static class ExportCommand
{
    public const string DefaultIndex = "streamwatch-events";

    public static async Task<int> RunAsync(string? configFile, DateTimeOffset? since, DateTimeOffset? until, string? camera,
        string format, string index, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        var options = ConfigLoader.Load(configFile);
        var path = options.Output.Resolve(options.Store.Path);
        if (!options.Store.Enabled || !File.Exists(path))
        {
            stderr.WriteLine($"streamwatch: no event store at '{path}' (Store:Enabled, Store:Path)");
            return 1;
        }
        using var store = new SqliteEventStore(path, options.Store.Limits);
        await WriteAsync(store, new EventQuery { Camera = camera, From = since, To = until, Limit = EventQuery.MaxLimit },
            format == "es-bulk" ? index : null, stdout, ct);
        return 0;
    }

    /// <summary>Writes every event the query selects, page by page; <paramref name="bulkIndex"/> null = plain NDJSON.</summary>
    public static async Task<int> WriteAsync(IEventStore store, EventQuery query, string? bulkIndex, TextWriter output, CancellationToken ct)
    {
        var count = 0;
        for (var page = await store.SearchAsync(query, ct); ; page = await store.SearchAsync(query with { Cursor = page.Next }, ct))
        {
            foreach (var e in page.Items)
            {
                if (bulkIndex != null)
                    output.WriteLine(JsonSerializer.Serialize(new { index = new { _index = bulkIndex, _id = e.Id } }));
                output.WriteLine(JsonSerializer.Serialize(Document(e)));
                count++;
            }
            if (page.Next is null) break;
        }
        await output.FlushAsync(ct);
        return count;
    }

    /// <summary>One event as its export document (every field always present; null where unknown).</summary>
    public static Dictionary<string, object?> Document(EventSummary e) => new()
    {
        ["id"] = e.Id, ["camera"] = e.Camera, ["rule"] = e.Rule, ["zone"] = e.Zone, ["severity"] = e.Severity, ["phase"] = e.Phase,
        ["start"] = Utc(e.Start), ["end"] = e.End is { } end ? Utc(end) : null,
        ["start_offset_s"] = Seconds(e.StartOffset), ["end_offset_s"] = e.EndOffset is { } eo ? Seconds(eo) : null,
        ["label"] = e.Label, ["confidence"] = e.Confidence, ["description"] = e.Description,
        ["unverified"] = e.Unverified, ["keyframes"] = e.KeyframeCount,
    };

    private static string Utc(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private static double Seconds(TimeSpan t) => Math.Round(t.TotalSeconds, 3);
}
