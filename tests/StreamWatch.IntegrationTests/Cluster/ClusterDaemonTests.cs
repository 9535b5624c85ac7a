using System.Net;
using System.Text.Json.Nodes;
using StreamWatch.IntegrationTests.Daemon;
using StreamWatch.IntegrationTests.Support;

namespace StreamWatch.IntegrationTests.Cluster;

/// <summary>Daemons with Cluster:Enabled against a real etcd (own data dir, free ports).</summary>
public sealed class ClusterDaemonTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(90);

    private static string Cluster(string node, string endpoint, string prefix, int ttl = 10, string? store = null) =>
        ClusterConfig.Extra(node, endpoint, prefix, ttl, store);

    private static Task<Dictionary<string, string>> WaitClaimsAsync(EtcdServer etcd, string prefix, Func<Dictionary<string, string>, bool> done, TimeSpan timeout) =>
        ClusterConfig.WaitClaimsAsync(etcd, prefix, done, timeout);

    [Fact]
    public async Task One_node_claims_every_camera_under_its_lease_lists_them_and_gives_them_back_on_sigterm()
    {
        var dir = Repo.TempDir("cluster1");
        try
        {
            var clip = await TestClips.MovingBoxAsync(dir, seconds: 4);
            await using var etcd = await EtcdServer.StartAsync();
            await using var daemon = await DaemonProcess.StartAsync(ClusterConfig.Cameras(clip, 3), extra: Cluster("n1", etcd.Endpoint, "/sw1"));

            var claims = await WaitClaimsAsync(etcd, "/sw1", c => c.Count == 3, Wait);
            Assert.All(claims.Values, v => Assert.Equal("n1", v));
            Assert.Contains("\"node\":\"n1\"", await etcd.GetAsync("/sw1/nodes/n1"));

            await daemon.Process.WaitForLineAsync("camera cam3 online: ", Wait);
            var cams = JsonNode.Parse((await daemon.GetAsync("api/cameras")).Body)!.AsArray();
            Assert.Equal(["cam1", "cam2", "cam3"], cams.Select(c => (string)c!["name"]!).Order());
            Assert.All(cams, c => { Assert.Equal("n1", (string?)c!["node"]); Assert.True((bool)c["local"]!); });
            var metrics = (await daemon.GetAsync("metrics")).Body;
            Assert.Contains("streamwatch_cluster_cameras_owned 3", metrics);
            Assert.Contains("streamwatch_cluster_lease_valid 1", metrics);
            Assert.Contains("streamwatch_cluster_nodes 1", metrics);
            Assert.Contains("streamwatch_cluster_claims_total{result=\"acquired\"} 3", metrics);

            Assert.Equal(0, await daemon.StopAsync());
            Assert.Empty(await etcd.GetPrefixAsync("/sw1/")); // claims released, lease revoked: nothing waits for the TTL
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public async Task A_second_node_takes_half_and_the_first_takes_them_back_after_kill_9_within_ttl_plus_5_s()
    {
        var dir = Repo.TempDir("cluster2");
        try
        {
            var clip = await TestClips.MovingBoxAsync(dir, seconds: 4);
            await using var etcd = await EtcdServer.StartAsync();
            const int ttl = 3;
            var cameras = ClusterConfig.Cameras(clip, 4);
            await using var a = await DaemonProcess.StartAsync(cameras, extra: Cluster("a", etcd.Endpoint, "/sw2", ttl));
            await WaitClaimsAsync(etcd, "/sw2", c => c.Count == 4 && c.Values.All(v => v == "a"), Wait);

            await using var b = await DaemonProcess.StartAsync(cameras, extra: Cluster("b", etcd.Endpoint, "/sw2", ttl));
            var split = await WaitClaimsAsync(etcd, "/sw2", c => c.Count == 4 && c.Values.Count(v => v == "b") == 2, Wait);
            Assert.Equal(2, split.Values.Count(v => v == "a"));
            var onB = split.Where(c => c.Value == "b").Select(c => c.Key).Order().ToList();
            await b.Process.WaitForLineAsync($"camera {onB[1]} online: ", Wait);
            var seenByA = JsonNode.Parse((await a.GetAsync("api/cameras")).Body)!.AsArray();
            Assert.Equal(4, seenByA.Count);
            foreach (var c in seenByA)
            {
                var name = (string)c!["name"]!;
                Assert.Equal(split[name], (string?)c["node"]);
                Assert.Equal(split[name] == "a", (bool)c["local"]!);
            }

            b.Process.Signal(ChildProcess.SIGKILL);
            var killed = System.Diagnostics.Stopwatch.StartNew();
            await WaitClaimsAsync(etcd, "/sw2", c => c.Count == 4 && c.Values.All(v => v == "a"), TimeSpan.FromSeconds(ttl + 5));
            await a.Process.WaitForLineAsync($"node a now watches camera {onB[1]}", TimeSpan.FromSeconds(5));
            Console.WriteLine($"takeover after kill -9: {killed.Elapsed.TotalSeconds:F1} s (TTL {ttl} s)");
            Assert.Equal(0, await a.StopAsync());
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public async Task A_node_paused_past_its_lease_publishes_nothing_after_it_resumes_until_it_holds_a_new_lease()
    {
        var dir = Repo.TempDir("cluster-stop");
        try
        {
            var clip = await TestClips.MovingBoxAsync(dir, seconds: 4);
            await using var etcd = await EtcdServer.StartAsync();
            const int ttl = 2;
            var cameras = ClusterConfig.Cameras(clip, 2);
            await using var a = await DaemonProcess.StartAsync(cameras, extra: Cluster("a", etcd.Endpoint, "/sw4", ttl));
            await WaitClaimsAsync(etcd, "/sw4", c => c.Count == 2 && c.Values.All(v => v == "a"), Wait);
            await a.Process.WaitForLineAsync("camera cam2 online: ", Wait);
            await using var b = await DaemonProcess.StartAsync(cameras, extra: Cluster("b", etcd.Endpoint, "/sw4", ttl));
            await WaitClaimsAsync(etcd, "/sw4", c => c.Count == 2 && c.Values.Count(v => v == "b") == 1, Wait);

            a.Process.Signal(ChildProcess.SIGSTOP);
            await WaitClaimsAsync(etcd, "/sw4", c => c.Count == 2 && c.Values.All(v => v == "b"), TimeSpan.FromSeconds(ttl + 5));
            var resumed = DateTimeOffset.UtcNow;
            a.Process.Signal(ChildProcess.SIGCONT);
            var renewed = await a.Process.WaitForLineAsync("holds a new lease", Wait);
            await WaitClaimsAsync(etcd, "/sw4", c => c.Count == 2 && c.Values.Count(v => v == "a") == 1, Wait);

            var renewedAt = DateTimeOffset.Parse(renewed[..24], System.Globalization.CultureInfo.InvariantCulture);
            var lines = await File.ReadAllLinesAsync(Path.Combine(a.StateDir, "events.jsonl"));
            var fenced = lines.Select(l => JsonNode.Parse(l)!).Where(e => e["time"] is { } t && DateTimeOffset.Parse((string)t!) is var at && at >= resumed && at < renewedAt).ToList();
            Assert.True(fenced.Count == 0, "published between resume and the new lease: " + string.Join("\n", fenced));
            var metrics = (await a.GetAsync("metrics")).Body;
            Assert.Matches(@"streamwatch_cluster_fenced_total [1-9]", metrics); // the cameras' stop (offline) was held back
            Assert.Matches(@"streamwatch_cluster_claims_total\{result=""lost""\} [1-9]", metrics);
            Assert.Contains("stopping its", a.Process.Output);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public async Task A_new_owner_ends_the_incidents_the_shared_store_still_has_open_with_reason_owner_lost()
    {
        var dir = Repo.TempDir("cluster-orphan");
        try
        {
            var clip = await TestClips.MovingBoxAsync(dir, seconds: 4);
            var db = Path.Combine(dir, "shared.db");
            var start = DateTimeOffset.UtcNow.AddMinutes(-1);
            using (var store = new StreamWatch.Store.Sqlite.SqliteEventStore(db, new StreamWatch.Store.Sqlite.StoreLimits(TimeSpan.FromDays(30), 1 << 30)))
                await store.RecordAlertAsync(new StreamWatch.Store.AlertRecord // what a node that died left behind
                {
                    Id = "orphan-1", Camera = "cam1", Rule = "intrusion", Phase = "new", Utc = start, Offset = TimeSpan.FromSeconds(3),
                    Start = start, StartOffset = TimeSpan.FromSeconds(3),
                });
            await using var etcd = await EtcdServer.StartAsync();
            await using var b = await DaemonProcess.StartAsync(ClusterConfig.Cameras(clip, 1), extra: Cluster("b", etcd.Endpoint, "/sw5", store: db));
            await b.Process.WaitForLineAsync("ALERT end intrusion on cam1 .*id orphan-1", Wait);

            var detail = await WaitAsync(async () => JsonNode.Parse((await b.GetAsync("api/events/orphan-1")).Body), d => (string?)d?["event"]?["phase"] == "end");
            Assert.NotNull(detail);
            var end = (await File.ReadAllLinesAsync(Path.Combine(b.StateDir, "events.jsonl"))).Single(l => l.Contains("orphan-1"));
            Assert.Contains("\"reason\":\"owner-lost\"", end);
            Assert.Contains("\"phase\":\"end\"", end);
        }
        finally { Directory.Delete(dir, true); }
    }

    private static async Task<T> WaitAsync<T>(Func<Task<T>> read, Func<T, bool> done)
    {
        using var cts = new CancellationTokenSource(Wait);
        while (true)
        {
            var v = await read();
            if (done(v)) return v;
            if (cts.IsCancellationRequested) throw new TimeoutException($"never got there: {v}");
            await Task.Delay(100); // poll interval inside a bounded wait
        }
    }

    [Fact]
    public async Task Etcd_lost_later_keeps_the_cameras_until_the_lease_would_expire_then_stops_them_and_says_so_then_rejoins()
    {
        var dir = Repo.TempDir("cluster-etcdlost");
        try
        {
            var clip = await TestClips.MovingBoxAsync(dir, seconds: 4);
            await using var etcd = await EtcdServer.StartAsync();
            const int ttl = 3;
            await using var a = await DaemonProcess.StartAsync(ClusterConfig.Cameras(clip, 2), extra: Cluster("n1", etcd.Endpoint, "/sw6", ttl));
            await WaitClaimsAsync(etcd, "/sw6", c => c.Count == 2, Wait);
            await a.Process.WaitForLineAsync("camera cam2 online: ", Wait);
            Assert.Equal(HttpStatusCode.OK, (await a.GetAsync("readyz")).Status);

            var lost = System.Diagnostics.Stopwatch.StartNew();
            await etcd.StopAsync();
            await a.Process.WaitForLineAsync("may have expired: stopping its 2 camera", TimeSpan.FromSeconds(ttl + 5));
            Console.WriteLine($"cameras stopped {lost.Elapsed.TotalSeconds:F1} s after etcd stopped (TTL {ttl} s)");
            Assert.True(lost.Elapsed >= TimeSpan.FromSeconds(1), "stopped before the lease could have expired");
            var ready = await WaitAsync(() => a.GetAsync("readyz"), r => r.Status == HttpStatusCode.ServiceUnavailable && r.Body.Contains("cluster"));
            Assert.Contains("sink 'cluster' not connected", ready.Body);
            var metrics = await WaitAsync(async () => (await a.GetAsync("metrics")).Body, m => m.Contains("streamwatch_cluster_cameras_owned 0")); // once both have stopped
            Assert.Contains("streamwatch_cluster_lease_valid 0", metrics);

            await etcd.StartAgainAsync();
            await a.Process.WaitForLineAsync("node n1 now watches camera cam2", Wait, occurrence: 2);
            await WaitClaimsAsync(etcd, "/sw6", c => c.Count == 2 && c.Values.All(v => v == "n1"), Wait);
            await WaitAsync(() => a.GetAsync("readyz"), r => r.Status == HttpStatusCode.OK);
            Assert.Equal(0, await a.StopAsync());
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public async Task A_node_restarted_after_kill_9_revokes_its_previous_lease_and_claims_afresh_without_waiting_for_the_ttl()
    {
        var dir = Repo.TempDir("cluster-restart");
        try
        {
            var clip = await TestClips.MovingBoxAsync(dir, seconds: 4);
            await using var etcd = await EtcdServer.StartAsync();
            var cameras = ClusterConfig.Cameras(clip, 2);
            var first = await DaemonProcess.StartAsync(cameras, extra: Cluster("n1", etcd.Endpoint, "/sw7", ttl: 60));
            await WaitClaimsAsync(etcd, "/sw7", c => c.Count == 2, Wait);
            first.Process.Signal(ChildProcess.SIGKILL);
            await first.Process.WaitExitAsync(Wait);
            await first.DisposeAsync();
            Assert.Equal(2, (await etcd.GetPrefixAsync("/sw7/claims/")).Count); // held by the dead run's lease (60 s)
            var oldLease = await etcd.LeaseOfAsync("/sw7/claims/cam1");
            Assert.NotNull(oldLease);

            await using var second = await DaemonProcess.StartAsync(cameras, extra: Cluster("n1", etcd.Endpoint, "/sw7", ttl: 60));
            Assert.Contains("a previous run of node n1 left lease", second.Process.Output);
            await second.Process.WaitForLineAsync("node n1 now watches camera cam2", TimeSpan.FromSeconds(30)); // far less than the 60 s TTL
            await WaitClaimsAsync(etcd, "/sw7", c => c.Count == 2 && c.Values.All(v => v == "n1"), Wait);
            var newLease = await etcd.LeaseOfAsync("/sw7/claims/cam1");
            Assert.True(newLease is > 0 && newLease != oldLease, $"claim still under the dead run's lease {oldLease:x}");
            Assert.Equal(newLease, await etcd.LeaseOfAsync("/sw7/nodes/n1"));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public async Task Etcd_unreachable_at_start_is_exit_69_naming_the_endpoints_key()
    {
        var dir = Repo.TempDir("cluster69");
        try
        {
            var port = FreePort.Get(); // nothing listens there
            var config = Path.Combine(dir, "config.json");
            await File.WriteAllTextAsync(config, $$"""
                {"Cameras": [], "Output": {"StateDirectory": "{{Path.Combine(dir, "state")}}"},
                 "Observability": {"Listen": "127.0.0.1:{{FreePort.Get()}}"} {{Cluster("n1", $"http://127.0.0.1:{port}", "/sw3")}} }
                """);
            await using var p = ChildProcess.Start("dotnet", [Repo.DaemonDll, "run", "--config", config], workDir: dir);
            Assert.Equal(69, await p.WaitExitAsync(Wait));
            Assert.Contains("Cluster:Etcd:Endpoints", p.Output);
            Assert.Contains($"127.0.0.1:{port}", p.Output);
            Assert.DoesNotContain("   at ", p.Output); // no stack trace
        }
        finally { Directory.Delete(dir, true); }
    }
}
