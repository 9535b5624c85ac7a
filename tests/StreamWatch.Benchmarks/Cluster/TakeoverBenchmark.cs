using System.Diagnostics;
using System.Globalization;
using StreamWatch.IntegrationTests.Cluster;
using StreamWatch.IntegrationTests.Support;

namespace StreamWatch.Benchmarks.Cluster;

/// <summary>
/// <c>dotnet run -c Release --project tests/StreamWatch.Benchmarks -- takeover [RUNS] [TTL] [CAMERAS]</c>
/// (defaults 10, 3 s, 12): the three-node harness of the integration tests (real etcd, mosquitto, a
/// shared store, looping file cameras). Each run kill -9s one node (in turn) and times until every
/// camera it held is claimed by a survivor and logged "now watches" there; the node is then started
/// again on its state dir and the cluster waits to be balanced before the next run. Prints each run,
/// the median and the max, and the load average before and after.
/// </summary>
public static class TakeoverBenchmark
{
    private static readonly string[] Abc = ["a", "b", "c"];

    public static int Run(string[] args)
    {
        var runs = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 10;
        var ttl = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 3;
        var cameras = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 12;
        return RunAsync(runs, ttl, cameras).GetAwaiter().GetResult();
    }

    private static async Task<int> RunAsync(int runs, int ttl, int cameras)
    {
        var wait = TimeSpan.FromSeconds(120);
        var dir = Repo.TempDir("takeover-bench");
        try
        {
            var loadBefore = Load();
            var (store, _) = SharedStore.Create(dir);
            await using var h = await ClusterHarness.StartAsync(dir, store, cameras, ttl);
            foreach (var n in Abc) await h.AddNodeAsync(n);
            var times = new List<double>();
            for (var run = 0; run < runs; run++)
            {
                var claims = await h.WaitBalancedAsync(cameras, Abc, wait);
                foreach (var (camera, owner) in claims) await WaitWatchingLatestAsync(h[owner], camera, wait);
                var victim = h[Abc[run % 3]];
                var held = claims.Where(c => c.Value == victim.Name).Select(c => c.Key).ToList();
                var counts = h.Nodes.ToDictionary(n => n.Name, n => held.ToDictionary(c => c, c => Watches(n, c)));
                var sw = Stopwatch.StartNew();
                await victim.KillAsync();
                var after = await h.WaitClaimsAsync(c => c.Count == cameras && c.Values.All(v => v != victim.Name), wait);
                foreach (var camera in held)
                {
                    var owner = h[after[camera]];
                    await ClusterHarness.WaitWatchingAsync(owner, camera, wait, counts[owner.Name][camera] + 1);
                }
                times.Add(sw.Elapsed.TotalSeconds);
                Console.WriteLine(FormattableString.Invariant($"run {run + 1}: kill -9 of {victim.Name} ({held.Count} cameras) → watched elsewhere in {sw.Elapsed.TotalSeconds:F2} s (load {Load()})"));
                await victim.StartAgainAsync();
            }
            times.Sort();
            var median = times.Count % 2 == 1 ? times[times.Count / 2] : (times[times.Count / 2 - 1] + times[times.Count / 2]) / 2;
            Console.WriteLine(FormattableString.Invariant(
                $"takeover after kill -9, {runs} runs, 3 nodes, {cameras} cameras, TTL {ttl} s: median {median:F2} s, max {times[^1]:F2} s, min {times[0]:F2} s; load average before {loadBefore}, after {Load()} ({Environment.ProcessorCount} cores)"));
            return 0;
        }
        finally { Directory.Delete(dir, true); }
    }

    private static int Watches(ClusterNode n, string camera) =>
        n.Process.HasExited ? 0 : n.Process.CountLines($"node {n.Name} now watches camera {camera}");

    /// <summary>The owner started the camera at least as often as it claimed it in this run (it is watching it now).</summary>
    private static Task WaitWatchingLatestAsync(ClusterNode owner, string camera, TimeSpan wait) =>
        ClusterHarness.WaitWatchingAsync(owner, camera, wait, Math.Max(1, Watches(owner, camera)));

    private static string Load() => File.ReadAllText("/proc/loadavg").Split(' ')[0];
}
