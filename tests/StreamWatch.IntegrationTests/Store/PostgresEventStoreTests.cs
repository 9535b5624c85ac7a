using Npgsql;
using StreamWatch.IntegrationTests.Support;
using StreamWatch.Store;
using StreamWatch.Store.Postgres;
using StreamWatch.Store.Sqlite;
using StreamWatch.Tests.Store;

namespace StreamWatch.IntegrationTests.Store;

/// <summary>One real PostgreSQL for the test class (each test gets a fresh database in it).</summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    private int _n;
    public PostgresServer Server { get; private set; } = null!;
    public async Task InitializeAsync() => Server = await PostgresServer.StartAsync();
    public async Task DisposeAsync() => await Server.DisposeAsync();
    public Task<string> FreshDatabaseAsync() => Server.CreateDatabaseAsync($"store_{Interlocked.Increment(ref _n)}");
}

/// <summary>The store contract on PostgreSQL, plus what the shared store adds: idempotent recording
/// from several nodes, keyframes in the database, its schema_version migrations.</summary>
public sealed class PostgresEventStoreTests(PostgresFixture pg) : EventStoreContract, IClassFixture<PostgresFixture>
{
    private string _cs = null!;

    public override async Task InitializeAsync() => _cs = await pg.FreshDatabaseAsync();
    public override Task DisposeAsync() { NpgsqlConnection.ClearAllPools(); return Task.CompletedTask; }

    protected override async Task<IEventStore> OpenAsync(long maxBytes = long.MaxValue / 4) =>
        await PostgresEventStore.OpenAsync(_cs, new StoreLimits(TimeSpan.FromDays(7), maxBytes));
    protected override Task<long> SizeBytesAsync(IEventStore store) => ((PostgresEventStore)store).SizeBytesAsync();
    protected override async Task<int> StoredKeyframesAsync(IEventStore store) => (int)await ScalarAsync<long>("SELECT count(*) FROM keyframes");

    private async Task<T> ScalarAsync<T>(string sql)
    {
        await using var db = new NpgsqlConnection(_cs);
        await db.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, db);
        return (T)(await cmd.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task The_same_lifecycle_message_twice_from_two_nodes_adds_no_row_and_an_end_stays_an_end()
    {
        using var a = await OpenAsync();
        using var b = await OpenAsync(); // a second node on the same database
        var verdict = new VerdictRecord("person", 0.9, "walks", "m", 10);
        var first = Alert("x", "new", T0, verdict: verdict, keyframes: 2);
        var end = Alert("x", "end", T0, verdict: verdict, keyframes: 2, end: T0.AddSeconds(5)) with { Offset = TimeSpan.FromSeconds(5) };
        await Task.WhenAll(a.RecordAlertAsync(first), b.RecordAlertAsync(first)); // both at once
        await a.RecordAlertAsync(end);
        await b.RecordAlertAsync(end);
        await a.RecordAlertAsync(first); // a late resend of the start

        var d = (await b.GetAsync("x"))!;
        Assert.Equal(["new", "end"], d.Lifecycle.Select(l => l.Phase));
        Assert.Single(d.Verdicts);
        Assert.Equal(2, d.Keyframes.Count);
        Assert.Equal(("end", T0.AddSeconds(5)), (d.Event.Phase, d.Event.End));
        Assert.Equal(1L, await ScalarAsync<long>("SELECT count(*) FROM events"));
        Assert.Equal(2L, await ScalarAsync<long>("SELECT count(*) FROM keyframes"));
        Assert.Empty(await a.OpenEventsAsync("yard"));
    }

    [Fact]
    public async Task A_database_of_schema_version_1_opens_and_its_events_become_searchable()
    {
        await using (var db = new NpgsqlConnection(_cs))
        {
            await db.OpenAsync();
            await PgSchema.MigrateAsync(db, target: 1);
            await using var cmd = new NpgsqlCommand("""
                INSERT INTO events(id, camera, rule, severity, phase, start_ms, start_offset_ms, label, confidence, description)
                VALUES ('old', 'yard', 'intrusion', 'info', 'end', 1764583200000, 0, 'fox', 0.7, 'a fox crosses the lawn')
                """, db);
            await cmd.ExecuteNonQueryAsync();
        }
        using var store = await OpenAsync();
        Assert.Equal("old", Assert.Single((await store.SearchAsync(new EventQuery { Text = "fox lawn" })).Items).Id);
        Assert.Equal(PgSchema.Migrations.Length, await ScalarAsync<int>("SELECT version FROM schema_version"));
        using var again = await OpenAsync(); // opening a current database changes nothing
        Assert.Equal(1L, await ScalarAsync<long>("SELECT count(*) FROM schema_version"));
    }

    [Fact]
    public async Task An_incident_left_open_by_a_schema_version_2_node_is_ended_by_the_current_one()
    {
        await using (var db = new NpgsqlConnection(_cs))
        {
            await db.OpenAsync();
            await PgSchema.MigrateAsync(db, target: 2); // before record_alert existed
            await using var cmd = new NpgsqlCommand("""
                INSERT INTO events(id, camera, rule, severity, phase, start_ms, start_offset_ms, label, confidence, description, keyframes, keyframe_bytes)
                VALUES ('open', 'yard', 'intrusion', 'info', 'new', 1764583200000, 0, 'fox', 0.7, 'a fox crosses the lawn', 1, 5);
                INSERT INTO lifecycle(event_seq, phase, utc_ms, offset_ms) SELECT seq, 'new', 1764583200000, 0 FROM events;
                INSERT INTO keyframes SELECT seq, 0, 1764583200000, 0, 5, '\xffd800ffd9'::bytea FROM events;
                """, db);
            await cmd.ExecuteNonQueryAsync();
        }
        using var store = await OpenAsync();
        var start = DateTimeOffset.FromUnixTimeMilliseconds(1764583200000);
        await store.RecordAlertAsync(Alert("open", "end", start, verdict: new VerdictRecord("cat", 0.8, "a cat", "m", 5), keyframes: 2, end: start.AddSeconds(6)));

        var d = (await store.GetAsync("open"))!;
        Assert.Equal(["new", "end"], d.Lifecycle.Select(l => l.Phase));
        Assert.Equal(("end", "cat", 2), (d.Event.Phase, d.Event.Label, d.Event.KeyframeCount));
        Assert.Equal("cat", Assert.Single(d.Verdicts).Label);
        Assert.Equal(new byte[] { 0xFF, 0xD8, 0, 0xFF, 0xD9 }, await store.ReadKeyframeAsync("open", 0)); // the old one kept
        Assert.Equal(new byte[] { 0xFF, 0xD8, 1, 0xFF, 0xD9 }, await store.ReadKeyframeAsync("open", 1));
        Assert.Equal(10L, await ScalarAsync<long>("SELECT keyframe_bytes FROM events"));
    }

    [Fact]
    public async Task Keyframes_are_in_the_database_so_every_node_reads_them()
    {
        using var a = await OpenAsync();
        using var b = await OpenAsync();
        await a.RecordAlertAsync(Alert("k", "new", T0, keyframes: 3));
        Assert.Equal(new byte[] { 0xFF, 0xD8, 1, 0xFF, 0xD9 }, await b.ReadKeyframeAsync("k", 1));
        Assert.Equal(15L, await ScalarAsync<long>("SELECT sum(octet_length(jpeg)) FROM keyframes"));
    }
}
