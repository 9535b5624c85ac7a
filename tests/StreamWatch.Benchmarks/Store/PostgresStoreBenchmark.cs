using System.Diagnostics;
using System.Globalization;
using StreamWatch.IntegrationTests.Support;
using StreamWatch.Store;
using StreamWatch.Store.Postgres;
using StreamWatch.Store.Sqlite;

namespace StreamWatch.Benchmarks.Store;

/// <summary>
/// <c>dotnet run -c Release --project tests/StreamWatch.Benchmarks -- store --postgres [EVENTS] [QUERIES]</c>:
/// starts a throwaway PostgreSQL on 127.0.0.1 (the integration tests' <see cref="PostgresServer"/>:
/// free port, temp data dir, stopped and deleted afterwards), fills it with EVENTS incidents (default
/// 200,000; transactions of 10,000), then measures single inserts (one transaction each, as the
/// store sink writes them), the same from 3 stores at once (three nodes sharing the database) and
/// text queries. Prints the figures like the SQLite run.
/// </summary>
public static class PostgresStoreBenchmark
{
    private const int Singles = 5_000, Writers = 3;

    public static async Task<int> RunAsync(string[] args)
    {
        var events = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 200_000;
        var queries = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 300;
        var limits = new StoreLimits(TimeSpan.FromDays(3650), long.MaxValue / 4);
        await using var server = await PostgresServer.StartAsync();
        var cs = await server.CreateDatabaseAsync("bench");
        Console.WriteLine($"postgres: throwaway server on 127.0.0.1:{server.Port} ({PostgresServer.Bin}), default settings");
        try
        {
            using var store = await PostgresEventStore.OpenAsync(cs, limits);
            var rng = new Random(42);
            var t0 = DateTimeOffset.UtcNow.AddDays(-30);
            var sw = Stopwatch.StartNew();
            for (var i = 0; i < events; i += 10_000)
                await store.RecordManyAsync(Enumerable.Range(i, Math.Min(10_000, events - i)).Select(n => StoreBenchmark.Event(rng, n, t0)));
            Console.WriteLine($"fill: {events:N0} events in {sw.Elapsed.TotalSeconds:0.0} s ({events / sw.Elapsed.TotalSeconds:N0}/s, bulk)");

            StoreBenchmark.MeasureSingles(store, Enumerable.Range(events, Singles).Select(n => StoreBenchmark.Event(rng, n, t0)).ToArray(), target: 5000);
            await MeasureWritersAsync(cs, limits, Enumerable.Range(events + Singles, Writers * Singles).Select(n => StoreBenchmark.Event(rng, n, t0)).ToArray());
            StoreBenchmark.MeasureQueries(store, rng, queries);
            Console.WriteLine($"store size: {await store.SizeBytesAsync() / 1024.0 / 1024.0:0} MiB");
            return 0;
        }
        finally { Npgsql.NpgsqlConnection.ClearAllPools(); }
    }

    /// <summary><see cref="Writers"/> stores (own pools, as separate nodes have), each inserting its share one transaction at a time, all at once.</summary>
    private static async Task MeasureWritersAsync(string cs, StoreLimits limits, AlertRecord[] alerts)
    {
        var stores = new List<PostgresEventStore>();
        for (var w = 0; w < Writers; w++) stores.Add(await PostgresEventStore.OpenAsync(cs + $";Application Name=node{w}", limits));
        try
        {
            var share = alerts.Length / Writers;
            var sw = Stopwatch.StartNew();
            await Task.WhenAll(stores.Select((s, w) => Task.Run(async () =>
            {
                foreach (var a in alerts.AsMemory(w * share, share).ToArray()) await s.RecordAlertAsync(a);
            })));
            var wall = sw.Elapsed.TotalSeconds;
            Console.WriteLine($"concurrent: {Writers} stores x {share:N0} single events at once in {wall:0.00} s: " +
                              $"{Writers * share / wall:N0} events/s together, {share / wall:N0}/s each");
        }
        finally { foreach (var s in stores) s.Dispose(); }
    }
}
