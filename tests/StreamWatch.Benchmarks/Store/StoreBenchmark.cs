using System.Diagnostics;
using System.Globalization;
using StreamWatch.Store;
using StreamWatch.Store.Sqlite;

namespace StreamWatch.Benchmarks.Store;

/// <summary>
/// <c>dotnet run -c Release --project tests/StreamWatch.Benchmarks -- store [EVENTS] [QUERIES]</c>:
/// fills a fresh event store with EVENTS incidents (default 1,000,000; bulk transactions of 10,000),
/// then measures single inserts (one transaction each, as the store sink writes them, verdict and
/// search index included, no keyframe files) and full-text queries (a page of 50, newest first,
/// one or two words, some with a camera or confidence filter). Prints the figures.
/// <c>store --postgres [EVENTS] [QUERIES]</c>: the same against a throwaway PostgreSQL (see
/// <see cref="PostgresStoreBenchmark"/>).
/// </summary>
public static class StoreBenchmark
{
    private static readonly string[] Words =
        ("person man woman child courier dog cat fox deer car van truck bicycle parcel box bag ladder umbrella " +
         "walks runs stands waits carries leaves opens closes climbs parks drives enters exits looks knocks rings " +
         "gate door fence garage driveway lawn porch window street garden path steps hedge bin mailbox light " +
         "red blue black white green grey yellow dark bright hooded tall short slowly quickly towards away near " +
         "night morning rain snow shadow headlights reflection branch wind leaves insects spider camera").Split(' ');
    private static readonly string[] Labels = ["person", "vehicle", "animal", "package", "none"];
    private static readonly string[] Rules = ["intrusion", "loiter", "line-cross", "any-motion", "object-left"];

    public static int Run(string[] args)
    {
        if (args is ["--postgres", .. var pgArgs]) return PostgresStoreBenchmark.RunAsync(pgArgs).GetAwaiter().GetResult();
        var events = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1_000_000;
        var queries = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 300;
        var dir = Directory.CreateTempSubdirectory("sw-store-bench-").FullName;
        try
        {
            using var store = new SqliteEventStore(Path.Combine(dir, "events.db"), new StoreLimits(TimeSpan.FromDays(3650), long.MaxValue / 4));
            var rng = new Random(42);
            var t0 = DateTimeOffset.UtcNow.AddDays(-30);
            var sw = Stopwatch.StartNew();
            for (var i = 0; i < events; i += 10_000)
                store.RecordMany(Enumerable.Range(i, Math.Min(10_000, events - i)).Select(n => Event(rng, n, t0)));
            Console.WriteLine($"fill: {events:N0} events in {sw.Elapsed.TotalSeconds:0.0} s ({events / sw.Elapsed.TotalSeconds:N0}/s, bulk)");

            const int singles = 20_000;
            MeasureSingles(store, Enumerable.Range(events, singles).Select(n => Event(rng, n, t0)).ToArray(), target: 5000);
            MeasureQueries(store, rng, queries);
            Console.WriteLine($"store size: {store.SizeBytes() / 1024.0 / 1024.0:0} MiB");
            return 0;
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(dir, true);
        }
    }

    /// <summary>One RecordAlertAsync (one transaction) per event, one after the other; prints wall and CPU time.</summary>
    internal static void MeasureSingles(IEventStore store, AlertRecord[] alerts, int target)
    {
        var (cpu, sys) = (Environment.CpuUsage.TotalTime, Environment.CpuUsage.PrivilegedTime);
        var sw = Stopwatch.StartNew();
        foreach (var a in alerts) store.RecordAlertAsync(a).GetAwaiter().GetResult();
        var wall = sw.Elapsed.TotalSeconds;
        var cpuS = (Environment.CpuUsage.TotalTime - cpu).TotalSeconds;
        var sysS = (Environment.CpuUsage.PrivilegedTime - sys).TotalSeconds;
        var rate = alerts.Length / wall;
        Console.WriteLine($"insert: {alerts.Length:N0} single events in {wall:0.00} s wall, {cpuS:0.00} s CPU of this process ({sysS:0.00} s of it in the kernel)");
        Console.WriteLine($"INSERTS: {rate:N0} events/s (target >= {target:N0}/s: {(rate >= target ? "met" : "NOT met")}); {alerts.Length / cpuS:N0} per CPU-second of this process");
    }

    /// <summary>Text queries (a page of 50, newest first), some with a camera or confidence filter; prints p50/p95/max.</summary>
    internal static void MeasureQueries(IEventStore store, Random rng, int queries)
    {
        var times = new List<double>();
        var hits = 0L;
        var sw = new Stopwatch();
        for (var n = 0; n < queries; n++)
        {
            var text = rng.Next(3) == 0 ? $"{Pick(rng, Words)} {Pick(rng, Words)}" : Pick(rng, Words);
            var q = new EventQuery
            {
                Text = text,
                Camera = rng.Next(4) == 0 ? $"cam{rng.Next(20)}" : null,
                MinConfidence = rng.Next(4) == 0 ? 0.5 : null,
            };
            sw.Restart();
            var page = store.SearchAsync(q).GetAwaiter().GetResult();
            times.Add(sw.Elapsed.TotalMilliseconds);
            hits += page.Items.Count;
        }
        times.Sort();
        double P(double p) => times[Math.Min(times.Count - 1, (int)Math.Ceiling(p * times.Count) - 1)];
        Console.WriteLine($"query: {queries} text queries (page of 50, {hits / (double)queries:0.0} hits avg): " +
                          $"p50 {P(0.50):0.00} ms, p95 {P(0.95):0.00} ms, max {times[^1]:0.00} ms");
    }

    private static string Pick(Random rng, string[] a) => a[rng.Next(a.Length)];

    internal static AlertRecord Event(Random rng, int n, DateTimeOffset t0)
    {
        var start = t0.AddSeconds(n * 2.5);
        var words = string.Join(' ', Enumerable.Range(0, rng.Next(8, 16)).Select(_ => Pick(rng, Words)));
        return new AlertRecord
        {
            Id = $"ev-{n}", Camera = $"cam{rng.Next(20)}", Rule = Pick(rng, Rules), Zone = rng.Next(2) == 0 ? "driveway" : null,
            Severity = "warning", Phase = "new", Utc = start, Offset = TimeSpan.FromSeconds(n), Start = start, StartOffset = TimeSpan.FromSeconds(n),
            Verdict = new VerdictRecord(Pick(rng, Labels), Math.Round(rng.NextDouble(), 3), words, "qwen3-vl", 300 + rng.Next(500)),
        };
    }
}
