using Microsoft.Data.Sqlite;
using StreamWatch.IntegrationTests.Support;
using StreamWatch.Store;
using StreamWatch.Store.Sqlite;

namespace StreamWatch.IntegrationTests.Store;

/// <summary>Child mode: writes incidents (3 lifecycle messages, 3 keyframes each) as fast as it can until killed.</summary>
public static class StoreWriterChild
{
    public const string Mode = "store-writer";
    public const int KeyframesPerEvent = 3;

    public static int Run(string[] args)
    {
        using var store = new SqliteEventStore(args[0], new StoreLimits(TimeSpan.FromDays(365), long.MaxValue / 4));
        var start = DateTimeOffset.UtcNow;
        var jpeg = new byte[20_000];
        Random.Shared.NextBytes(jpeg);
        for (var i = 0; ; i++)
        {
            var keyframes = Enumerable.Range(0, KeyframesPerEvent)
                .Select(n => new KeyframeRecord(start.AddSeconds(n), TimeSpan.FromSeconds(n), () => jpeg)).ToArray();
            var a = new AlertRecord
            {
                Id = $"crash-{i}", Camera = "yard", Rule = "intrusion", Phase = "new", Utc = start, Offset = TimeSpan.Zero,
                Start = start, StartOffset = TimeSpan.Zero, Keyframes = keyframes,
                Verdict = new VerdictRecord("person", 0.9, $"person number {i} walks by", "m", 10),
            };
            store.RecordAlertAsync(a).GetAwaiter().GetResult();
            store.RecordAlertAsync(a with { Phase = "end", End = start.AddSeconds(5) }).GetAwaiter().GetResult();
            if (i == 20) Console.WriteLine("WRITING");
        }
    }
}

public class StoreCrashTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    /// <summary>
    /// kill -9 while incidents and their keyframe files are being written: the database passes
    /// integrity_check, opens again, and every incident it holds is complete (all its keyframes,
    /// each file present whole, both lifecycle messages or just the first: never a part of one write).
    /// </summary>
    [Fact]
    public async Task KillNineLeavesNoCorruptDatabaseAndNoHalfWrittenEvent()
    {
        var dir = Repo.TempDir("store-crash");
        var db = Path.Combine(dir, "events.db");
        await using (var child = ChildProcess.Start("dotnet", ["exec", typeof(StoreCrashTests).Assembly.Location, StoreWriterChild.Mode, db]))
        {
            await child.WaitForLineAsync("^WRITING$", Wait);
            child.Signal(ChildProcess.SIGKILL);
            await child.WaitExitAsync(Wait);
        }

        using (var raw = new SqliteConnection($"Data Source={db};Pooling=False"))
        {
            raw.Open();
            using var check = raw.CreateCommand();
            check.CommandText = "PRAGMA integrity_check";
            Assert.Equal("ok", check.ExecuteScalar());
            check.CommandText = "INSERT INTO events_fts(events_fts) VALUES ('integrity-check')";
            check.ExecuteNonQuery();
        }
        using var store = new SqliteEventStore(db, new StoreLimits(TimeSpan.FromDays(365), long.MaxValue / 4));
        var events = await AllAsync(store, new EventQuery());
        Assert.True(events.Count > 20, $"only {events.Count} events were written before the kill");
        foreach (var e in events)
        {
            var d = (await store.GetAsync(e.Id))!;
            Assert.Equal(StoreWriterChild.KeyframesPerEvent, d.Keyframes.Count);
            Assert.Equal("person", d.Event.Label);
            Assert.Single(d.Verdicts);
            Assert.Contains(d.Lifecycle.Count, new[] { 1, 2 });
            Assert.Equal(d.Lifecycle.Count == 2 ? "end" : "new", d.Event.Phase);
            for (var n = 0; n < d.Keyframes.Count; n++) Assert.Equal(20_000, (await store.ReadKeyframeAsync(e.Id, n))!.Length);
        }
        // the search index agrees with the table
        Assert.Equal(events.Select(e => e.Id), (await AllAsync(store, new EventQuery { Text = "walks" })).Select(e => e.Id));
        store.Dispose();
        SqliteConnection.ClearAllPools();
        Directory.Delete(dir, true);
    }

    private static async Task<List<EventSummary>> AllAsync(IEventStore store, EventQuery query)
    {
        var all = new List<EventSummary>();
        string? cursor = null;
        do
        {
            var page = await store.SearchAsync(query with { Limit = EventQuery.MaxLimit, Cursor = cursor });
            all.AddRange(page.Items);
            cursor = page.Next;
        } while (cursor != null);
        return all;
    }
}
