using StreamWatch.Store.Postgres;
using StreamWatch.Store.Sqlite;

namespace StreamWatch.Store;

/// <summary>Opens the event store that Store:Provider names; the rest of the program sees only <see cref="IEventStore"/>.</summary>
public static class EventStores
{
    /// <param name="resolve">resolves Store:Path against the state folder (sqlite)</param>
    public static async Task<IEventStore> OpenAsync(StoreOptions options, Func<string, string> resolve, CancellationToken ct = default) =>
        options.Provider == "postgres"
            ? await PostgresEventStore.OpenAsync(options.ConnectionString!, options.Limits, ct)
            : new SqliteEventStore(resolve(options.Path), options.Limits);
}
