using StreamWatch.Mqtt.Outbox;

namespace StreamWatch.Tests.Mqtt;

public sealed class OutboxTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "sw-outbox-" + Guid.NewGuid().ToString("N"));
    private string DbPath => Path.Combine(_dir, "state", "outbox.db");
    private static readonly DateTimeOffset Now = DateTimeOffset.UnixEpoch.AddDays(20000);

    private static OutboxMessage Msg(int i) => new("sw/events", [(byte)i], false);

    [Fact]
    public void Reads_in_insertion_order_after_a_cursor_and_deletes_acknowledged_rows()
    {
        using var o = new SqliteOutbox(DbPath, 100);
        o.Enqueue([Msg(1), Msg(2)], Now);
        o.Enqueue([Msg(3)], Now);
        var all = o.ReadAfter(0, 10);
        Assert.Equal([1, 2, 3], all.Select(r => (int)r.Payload[0]));
        Assert.Equal([3], o.ReadAfter(all[1].Id, 10).Select(r => (int)r.Payload[0]));
        o.Delete([all[0].Id, all[2].Id, 999]);
        Assert.Equal(1, o.Count);
        Assert.Equal([2], o.ReadAfter(0, 10).Select(r => (int)r.Payload[0]));
    }

    [Fact]
    public void Survives_reopening_with_order_and_attributes()
    {
        using (var o = new SqliteOutbox(DbPath, 100))
            o.Enqueue([new OutboxMessage("sw/c/r/snapshot", [9], true), new OutboxMessage("sw/events", [1], false, Now.AddSeconds(-2))], Now);
        using var again = new SqliteOutbox(DbPath, 100);
        Assert.Equal(2, again.Count);
        var rows = again.ReadAfter(0, 10);
        Assert.True(rows[0].Retain);
        Assert.Equal("sw/c/r/snapshot", rows[0].Topic);
        Assert.Equal(Now.AddSeconds(-2).ToUnixTimeMilliseconds(), rows[1].OnsetMs);
        Assert.Null(rows[0].OnsetMs);
    }

    [Fact]
    public void Oldest_age_follows_the_oldest_waiting_message_and_is_zero_when_empty()
    {
        using var o = new SqliteOutbox(DbPath, 100);
        Assert.Equal(TimeSpan.Zero, o.OldestAge(Now));
        o.Enqueue([Msg(1)], Now);
        o.Enqueue([Msg(2)], Now.AddSeconds(30));
        Assert.Equal(TimeSpan.FromSeconds(100), o.OldestAge(Now.AddSeconds(100)));
        o.Delete([o.ReadAfter(0, 1)[0].Id]);
        Assert.Equal(TimeSpan.FromSeconds(70), o.OldestAge(Now.AddSeconds(100)));
        o.Delete([o.ReadAfter(0, 1)[0].Id]);
        Assert.Equal(TimeSpan.Zero, o.OldestAge(Now.AddSeconds(100)));
        o.Enqueue([Msg(3)], Now.AddSeconds(200));
        using var again = new SqliteOutbox(DbPath, 100);
        Assert.Equal(TimeSpan.FromSeconds(5), again.OldestAge(Now.AddSeconds(205)));
    }

    [Fact]
    public void Keeps_the_camera_and_rule_of_an_onset_message_and_upgrades_an_older_outbox()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(DbPath)!);
        using (var old = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={DbPath};Pooling=False"))
        {
            old.Open();
            using var cmd = old.CreateCommand();
            cmd.CommandText = """
                CREATE TABLE outbox(id INTEGER PRIMARY KEY AUTOINCREMENT, topic TEXT NOT NULL, payload BLOB NOT NULL,
                  retain INTEGER NOT NULL, created_ms INTEGER NOT NULL, onset_ms INTEGER);
                INSERT INTO outbox(topic, payload, retain, created_ms, onset_ms) VALUES ('sw/events', x'01', 0, 5, 4);
                """;
            cmd.ExecuteNonQuery();
        }
        using var o = new SqliteOutbox(DbPath, 100);
        o.Enqueue([new OutboxMessage("sw/events", [2], false, Now.AddSeconds(-1), "front", "door")], Now);
        var rows = o.ReadAfter(0, 10);
        Assert.Equal(2, rows.Count);
        Assert.Null(rows[0].Camera);
        Assert.Equal(("front", "door"), (rows[1].Camera, rows[1].Rule));
    }

    [Fact]
    public void When_full_the_oldest_are_dropped_and_reported()
    {
        using var o = new SqliteOutbox(DbPath, 10);
        for (var i = 0; i < 10; i++) Assert.Equal(0, o.Enqueue([Msg(i)], Now));
        Assert.Equal(3, o.Enqueue([Msg(10), Msg(11), Msg(12)], Now));
        Assert.Equal(10, o.Count);
        Assert.Equal(Enumerable.Range(3, 10), o.ReadAfter(0, 100).Select(r => (int)r.Payload[0]));
    }

    [Fact]
    public void Open_alerts_are_recorded_with_their_messages_updated_closed_and_survive_reopening()
    {
        using (var o = new SqliteOutbox(DbPath, 100))
        {
            o.Enqueue([Msg(1)], Now, new OpenAlertChange("a1", [1]));
            o.Enqueue([Msg(2)], Now, new OpenAlertChange("a2", [2]));
            o.Enqueue([Msg(3)], Now, new OpenAlertChange("a1", [3])); // update keeps a1 first
            o.Enqueue([Msg(4)], Now, new OpenAlertChange("a3", [4]));
            o.Enqueue([Msg(5)], Now, new OpenAlertChange("a3", null)); // ended
            o.Enqueue([Msg(6)], Now);
        }
        using var again = new SqliteOutbox(DbPath, 100);
        var open = again.OpenAlerts();
        Assert.Equal(["a1", "a2"], open.Select(a => a.Id));
        Assert.Equal([3], open[0].LastEvent);
        again.Enqueue([], Now, new OpenAlertChange("a1", null));
        Assert.Equal(["a2"], again.OpenAlerts().Select(a => a.Id));
        Assert.Equal(6, again.Count);
    }

    public void Dispose()
    {
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }
}
