using System.Text.Json;
using Microsoft.Data.Sqlite;
using StreamWatch.Export;
using StreamWatch.Store;
using StreamWatch.Store.Sqlite;

namespace StreamWatch.Tests.Store;

public sealed class EventExporterTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 10, 0, 0, TimeSpan.Zero);
    private readonly string _dir = Directory.CreateTempSubdirectory("sw-export-").FullName;
    private readonly SqliteEventStore _store;

    public EventExporterTests()
    {
        _store = new SqliteEventStore(Path.Combine(_dir, "events.db"), new StoreLimits(TimeSpan.FromDays(3650), long.MaxValue / 4));
        for (var i = 0; i < 1203; i++) // more than two pages of the store
        {
            var a = SqliteEventStoreTests.Alert($"ev-{i}", "new", T0.AddMinutes(i), camera: i % 3 == 0 ? "garage" : "yard",
                verdict: i % 2 == 0 ? new VerdictRecord("person", 0.75, "a \"quoted\" line\nand <b>html</b>", "m", 10) : null);
            _store.RecordAlertAsync(a).GetAwaiter().GetResult();
            if (i % 5 == 0) _store.RecordAlertAsync(a with { Phase = "end", End = T0.AddMinutes(i).AddSeconds(30), Offset = TimeSpan.FromSeconds(30) }).GetAwaiter().GetResult();
        }
    }

    public void Dispose()
    {
        _store.Dispose();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, true);
    }

    private async Task<string[]> Export(EventQuery filter, bool esBulk, string index = EventExporter.DefaultIndex)
    {
        var w = new StringWriter { NewLine = "\n" };
        await EventExporter.WriteAsync(_store, filter, esBulk, index, w, CancellationToken.None);
        var text = w.ToString();
        Assert.EndsWith("\n", text); // _bulk needs the final newline
        return text[..^1].Split('\n');
    }

    private static readonly Dictionary<string, JsonValueKind[]> Fields = new()
    {
        ["@timestamp"] = [JsonValueKind.String], ["id"] = [JsonValueKind.String], ["camera"] = [JsonValueKind.String],
        ["rule"] = [JsonValueKind.String], ["zone"] = [JsonValueKind.String, JsonValueKind.Null], ["severity"] = [JsonValueKind.String],
        ["phase"] = [JsonValueKind.String], ["start"] = [JsonValueKind.String], ["start_offset"] = [JsonValueKind.String],
        ["end"] = [JsonValueKind.String, JsonValueKind.Null], ["end_offset"] = [JsonValueKind.String, JsonValueKind.Null],
        ["label"] = [JsonValueKind.String, JsonValueKind.Null], ["confidence"] = [JsonValueKind.Number, JsonValueKind.Null],
        ["description"] = [JsonValueKind.String, JsonValueKind.Null], ["unverified"] = [JsonValueKind.True, JsonValueKind.False],
        ["keyframes"] = [JsonValueKind.Number],
    };

    private static void AssertDocument(JsonElement d)
    {
        Assert.Equal(Fields.Keys.Order(), d.EnumerateObject().Select(p => p.Name).Order());
        foreach (var p in d.EnumerateObject()) Assert.Contains(p.Value.ValueKind, Fields[p.Name]);
        foreach (var key in new[] { "@timestamp", "start" })
            Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", d.GetProperty(key).GetString());
        Assert.Matches(@"^\d\d:\d\d:\d\d\.\d{3}$", d.GetProperty("start_offset").GetString());
        if (d.GetProperty("end").ValueKind == JsonValueKind.String) Assert.Equal("end", d.GetProperty("phase").GetString());
    }

    [Fact]
    public async Task Es_bulk_alternates_action_and_document_lines_with_unique_ids()
    {
        var lines = await Export(new EventQuery(), esBulk: true, index: "cams");
        Assert.Equal(2 * 1203, lines.Length);
        var ids = new HashSet<string>();
        for (var i = 0; i < lines.Length; i += 2)
        {
            using var action = JsonDocument.Parse(lines[i]);
            var op = Assert.Single(action.RootElement.EnumerateObject());
            Assert.Equal("index", op.Name);
            Assert.Equal(["_index", "_id"], op.Value.EnumerateObject().Select(p => p.Name));
            Assert.Equal("cams", op.Value.GetProperty("_index").GetString());
            var id = op.Value.GetProperty("_id").GetString()!;
            Assert.True(ids.Add(id), $"duplicate _id {id}");
            using var doc = JsonDocument.Parse(lines[i + 1]);
            AssertDocument(doc.RootElement);
            Assert.Equal(id, doc.RootElement.GetProperty("id").GetString());
        }
        Assert.Equal(1203, ids.Count);
    }

    [Fact]
    public async Task Ndjson_is_one_typed_document_a_line_filtered_by_time_and_camera()
    {
        var all = await Export(new EventQuery(), esBulk: false);
        Assert.Equal(1203, all.Length);
        foreach (var line in all) { using var d = JsonDocument.Parse(line); AssertDocument(d.RootElement); }
        using (var first = JsonDocument.Parse(all[^1]))
        {
            Assert.Equal("a \"quoted\" line\nand <b>html</b>", first.RootElement.GetProperty("description").GetString());
            Assert.Equal("end", first.RootElement.GetProperty("phase").GetString());
        }
        var some = await Export(new EventQuery { From = T0.AddMinutes(10), To = T0.AddMinutes(20), Camera = "garage" }, esBulk: false);
        Assert.Equal(["ev-18", "ev-15", "ev-12"], some.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("id").GetString()));
    }
}
