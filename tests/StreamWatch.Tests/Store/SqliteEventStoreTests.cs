using Microsoft.Data.Sqlite;
using StreamWatch.Store;
using StreamWatch.Store.Sqlite;

namespace StreamWatch.Tests.Store;

/// <summary>The store contract on SQLite, plus what only the SQLite store has (files, PRAGMA user_version, SQLITE_FULL).</summary>
public sealed class SqliteEventStoreTests : EventStoreContract, IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sw-store-").FullName;
    private string DbPath => Path.Combine(_dir, "events.db");

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, true);
    }

    private SqliteEventStore Open(long maxBytes = long.MaxValue / 4) => new(DbPath, new StoreLimits(TimeSpan.FromDays(7), maxBytes));

    protected override Task<IEventStore> OpenAsync(long maxBytes = long.MaxValue / 4) => Task.FromResult<IEventStore>(Open(maxBytes));
    protected override Task<long> SizeBytesAsync(IEventStore store) => Task.FromResult(((SqliteEventStore)store).SizeBytes());
    protected override Task<int> StoredKeyframesAsync(IEventStore store) =>
        Task.FromResult(Directory.GetFiles(((SqliteEventStore)store).KeyframeDirectory, "*.jpg", SearchOption.AllDirectories).Length);

    [Fact]
    public async Task A_store_of_schema_version_1_opens_and_its_events_become_searchable()
    {
        using (var db = new SqliteConnection($"Data Source={DbPath};Pooling=False"))
        {
            db.Open();
            Schema.Migrate(db, target: 1);
            using var cmd = db.CreateCommand();
            cmd.CommandText = """
                INSERT INTO events(id, camera, rule, severity, phase, start_ms, start_offset_ms, label, confidence, description)
                VALUES ('old', 'yard', 'intrusion', 'info', 'end', 1764583200000, 0, 'fox', 0.7, 'a fox crosses the lawn')
                """;
            cmd.ExecuteNonQuery();
        }
        using var store = Open();
        var page = await store.SearchAsync(new EventQuery { Text = "fox lawn" });
        Assert.Equal("old", Assert.Single(page.Items).Id);
        using var check = new SqliteConnection($"Data Source={DbPath};Pooling=False");
        check.Open();
        Assert.Equal(Schema.Migrations.Length, Schema.Version(check));
    }

    [Fact]
    public async Task A_full_database_fails_the_write_whole_and_keeps_no_file_of_it()
    {
        using var store = Open();
        await store.RecordAlertAsync(Alert("a", "new", T0));
        store.LimitPages(); // the database may not grow any more: SQLITE_FULL
        var big = Alert("b", "new", T0, verdict: new("person", 1, new string('x', 200_000), null, null), keyframes: 2);
        var e = await Assert.ThrowsAsync<SqliteException>(() => store.RecordAlertAsync(big));
        Assert.Equal(13, e.SqliteErrorCode); // SQLITE_FULL
        Assert.Null(await store.GetAsync("b"));
        Assert.Empty(Directory.GetFiles(store.KeyframeDirectory, "*.jpg", SearchOption.AllDirectories));
        Assert.NotNull(await store.GetAsync("a"));
    }
}
