using System.Text.Json;
using Microsoft.Data.Sqlite;
using StreamWatch.Cli;
using StreamWatch.Store;
using StreamWatch.Store.Sqlite;
using StreamWatch.Tests.Store;

namespace StreamWatch.Tests.Export;

/// <summary>`streamwatch export` in-process over a real SQLite store: the documented formats (docs/export.md), strictly.</summary>
public sealed class ExportFormatTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 10, 0, 0, TimeSpan.Zero);
    private readonly string _dir = Directory.CreateTempSubdirectory("sw-export-").FullName;
    private readonly string _config;

    public ExportFormatTests()
    {
        _config = Path.Combine(_dir, "config.json");
        File.WriteAllText(_config, JsonSerializer.Serialize(new { Output = new { StateDirectory = _dir } }));
        using var store = new SqliteEventStore(Path.Combine(_dir, "events.db"), new StoreLimits(TimeSpan.FromDays(36500), long.MaxValue / 4));
        var verdict = new VerdictRecord("person", 0.91, "A man in a \"red\" coat\nopens the gate", "qwen3-vl", 420);
        for (var n = 0; n < 7; n++) // 7 > one page would hide nothing: paging is exercised by the 600 below
        {
            var start = T0.AddMinutes(n);
            var camera = n % 2 == 0 ? "yard" : "porch";
            store.RecordAlertAsync(SqliteEventStoreTests.Alert($"e{n}", "new", start, camera, keyframes: 1, offsetS: n)).Wait();
            if (n % 3 == 0)
                store.RecordAlertAsync(SqliteEventStoreTests.Alert($"e{n}", "end", start, camera, verdict: verdict, keyframes: 2, end: start.AddSeconds(9), offsetS: n)
                    with { Offset = TimeSpan.FromSeconds(n + 9.25) }).Wait();
        }
        store.RecordMany(Enumerable.Range(0, 600).Select(n => SqliteEventStoreTests.Alert($"bulk{n}", "new", T0.AddDays(1).AddSeconds(n), "garage")));
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, true);
    }

    [Fact]
    public async Task Es_bulk_alternates_action_and_document_lines_keyed_by_unique_event_ids()
    {
        var (code, stdout, stderr) = await Export("--format", "es-bulk", "--index", "sw-test");
        Assert.True(code == 0, stderr);
        Assert.EndsWith("\n", stdout);
        var lines = stdout.TrimEnd('\n').Split('\n');
        Assert.Equal(2 * 607, lines.Length);
        var ids = new HashSet<string>();
        for (var i = 0; i < lines.Length; i += 2)
        {
            using var action = JsonDocument.Parse(lines[i]);
            var index = Assert.Single(action.RootElement.EnumerateObject());
            Assert.Equal("index", index.Name);
            Assert.Equal(["_index", "_id"], index.Value.EnumerateObject().Select(p => p.Name));
            Assert.Equal("sw-test", index.Value.GetProperty("_index").GetString());
            var id = index.Value.GetProperty("_id").GetString()!;
            Assert.True(ids.Add(id), $"duplicate _id {id}");
            using var doc = JsonDocument.Parse(lines[i + 1]);
            AssertDocument(doc.RootElement);
            Assert.Equal(id, doc.RootElement.GetProperty("id").GetString());
        }
        Assert.Contains("e0", ids);
        Assert.Contains("bulk599", ids);

        var (_, again, _) = await Export("--format", "es-bulk", "--index", "sw-test");
        Assert.Equal(stdout, again); // a re-export names the same ids: it overwrites, it does not duplicate
    }

    [Fact]
    public async Task Ndjson_is_one_typed_document_per_line_with_the_stored_values()
    {
        var (code, stdout, stderr) = await Export("--format", "ndjson", "--camera", "yard");
        Assert.True(code == 0, stderr);
        var docs = stdout.TrimEnd('\n').Split('\n').Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(["e6", "e4", "e2", "e0"], docs.Select(d => d.GetProperty("id").GetString())); // newest first
        foreach (var d in docs) AssertDocument(d);
        var e0 = docs[3];
        Assert.Equal("2026-12-01T10:00:00.000Z", e0.GetProperty("start").GetString());
        Assert.Equal("2026-12-01T10:00:09.000Z", e0.GetProperty("end").GetString());
        Assert.Equal(9.25, e0.GetProperty("end_offset_s").GetDouble());
        Assert.Equal(("person", 0.91, "A man in a \"red\" coat\nopens the gate", "end", 2),
            (e0.GetProperty("label").GetString(), e0.GetProperty("confidence").GetDouble(), e0.GetProperty("description").GetString(),
             e0.GetProperty("phase").GetString(), e0.GetProperty("keyframes").GetInt32()));
        Assert.Equal(JsonValueKind.Null, docs[1].GetProperty("label").ValueKind);
    }

    [Fact]
    public async Task Since_and_until_select_by_the_incident_start()
    {
        var (_, stdout, _) = await Export("--format", "ndjson", "--since", "2026-12-01T10:02:00Z", "--until", "2026-12-01T10:05:00");
        Assert.Equal(["e4", "e3", "e2"], stdout.TrimEnd('\n').Split('\n').Select(l => JsonDocument.Parse(l).RootElement.GetProperty("id").GetString()));
    }

    [Theory]
    [InlineData("Option '--format' is required")]
    [InlineData("--format", "csv")]
    [InlineData("--since", "yesterday", "--format", "ndjson")]
    [InlineData("--index applies only to --format es-bulk", "--format", "ndjson", "--index", "x")]
    public async Task Wrong_words_exit_64(params string[] args)
    {
        var words = args[0].StartsWith("--", StringComparison.Ordinal) ? args : args[1..];
        var (code, stdout, stderr) = await Export(words);
        Assert.Equal(64, code);
        Assert.Equal("", stdout);
        Assert.Contains("streamwatch export [options]", stderr);
        if (!args[0].StartsWith("--", StringComparison.Ordinal)) Assert.Contains(args[0], stderr);
    }

    [Fact]
    public async Task A_missing_store_is_a_clear_error()
    {
        File.WriteAllText(_config, JsonSerializer.Serialize(new { Output = new { StateDirectory = Path.Combine(_dir, "empty") } }));
        var (code, stdout, stderr) = await Export("--format", "ndjson");
        Assert.Equal(1, code);
        Assert.Equal("", stdout);
        Assert.Contains("no event store at", stderr);
    }

    /// <summary>The field types docs/export.md promises, every field present.</summary>
    private static void AssertDocument(JsonElement d)
    {
        string[] fields = ["id", "camera", "rule", "zone", "severity", "phase", "start", "end", "start_offset_s", "end_offset_s",
            "label", "confidence", "description", "unverified", "keyframes"];
        Assert.Equal(fields, d.EnumerateObject().Select(p => p.Name));
        foreach (var f in new[] { "id", "camera", "rule", "severity", "phase", "start" }) Assert.Equal(JsonValueKind.String, d.GetProperty(f).ValueKind);
        foreach (var f in new[] { "zone", "label", "description", "end" }) Assert.Contains(d.GetProperty(f).ValueKind, new[] { JsonValueKind.String, JsonValueKind.Null });
        foreach (var f in new[] { "confidence", "end_offset_s" }) Assert.Contains(d.GetProperty(f).ValueKind, new[] { JsonValueKind.Number, JsonValueKind.Null });
        Assert.Equal(JsonValueKind.Number, d.GetProperty("start_offset_s").ValueKind);
        Assert.True(d.GetProperty("keyframes").TryGetInt32(out _));
        Assert.Contains(d.GetProperty("unverified").ValueKind, new[] { JsonValueKind.True, JsonValueKind.False });
        Assert.Contains(d.GetProperty("phase").GetString(), new[] { "new", "update", "end" });
        Assert.True(DateTimeOffset.TryParseExact(d.GetProperty("start").GetString(), "yyyy-MM-dd'T'HH:mm:ss.fff'Z'", null,
            System.Globalization.DateTimeStyles.AssumeUniversal, out _));
        Assert.Equal(d.GetProperty("end").ValueKind == JsonValueKind.Null, d.GetProperty("end_offset_s").ValueKind == JsonValueKind.Null);
    }

    private async Task<(int Code, string Stdout, string Stderr)> Export(params string[] args)
    {
        var (o, e) = (new StringWriter(), new StringWriter());
        var code = await StreamWatchCli.InvokeAsync(["export", .. args, "--config", _config], o, e);
        return (code, o.ToString(), e.ToString());
    }
}
