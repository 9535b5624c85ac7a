using StreamWatch.Store;
using StreamWatch.Store.Sqlite;

namespace StreamWatch.IntegrationTests.Cluster;

/// <summary>
/// The event store every node of a test cluster shares: the Store config fragment and a way for the
/// test to read it afterwards. Until the PostgreSQL store is on main this is one SQLite file that
/// every node opens (WAL, busy timeout; same machine only), which is enough to check what reached it.
/// </summary>
public static class SharedStore
{
    public static (string Fragment, Func<IEventStore> Open) Create(string dir)
    {
        var db = Path.Combine(dir, "shared.db");
        return ($$$""", "Store": {"Enabled": true, "Path": "{{{db}}}"}""",
            () => new SqliteEventStore(db, new StoreLimits(TimeSpan.FromDays(30), 1 << 30)));
    }
}
