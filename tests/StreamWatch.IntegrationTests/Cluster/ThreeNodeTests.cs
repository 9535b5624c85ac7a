using System.Diagnostics;
using System.Text.Json.Nodes;
using StreamWatch.IntegrationTests.Support;
using StreamWatch.Store;
using Xunit.Abstractions;

namespace StreamWatch.IntegrationTests.Cluster;

/// <summary>
/// Issue 14's proof on real parts: etcd, mosquitto, a shared event store, three (four) daemon
/// processes and twelve looping file cameras that raise an alert every loop (docs/scale.md).
/// </summary>
public sealed class ThreeNodeTests(ITestOutputHelper output)
{
    private const int Cameras = 12, Ttl = 3;
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(120);
    private static readonly string[] Abc = ["a", "b", "c"];

    [Fact]
    public async Task Every_camera_has_one_node_a_kill_9_moves_only_its_cameras_within_ttl_plus_5_s_and_every_alert_reaches_mqtt_and_the_store_in_order()
    {
        var dir = Repo.TempDir("threenode");
        try
        {
            var (store, open) = SharedStore.Create(dir);
            await using var h = await ClusterHarness.StartAsync(dir, store, Cameras, Ttl);
            foreach (var n in Abc) await h.AddNodeAsync(n);
            var claims = await h.WaitBalancedAsync(Cameras, Abc, Wait);

            // exactly one owner per camera, and every node says so in /api/cameras
            Assert.Equal(ClusterHarness.CameraNames(Cameras), claims.Keys.Order());
            foreach (var (camera, owner) in claims) await ClusterHarness.WaitWatchingAsync(h[owner], camera, Wait);
            foreach (var node in h.Nodes)
            {
                var cams = await node.CamerasAsync();
                Assert.Equal(Cameras, cams.Count);
                foreach (var (camera, owner) in claims)
                {
                    Assert.Equal(owner, cams[camera].Node);
                    Assert.Equal(owner == node.Name, cams[camera].Local);
                }
            }
            foreach (var node in h.Nodes) // and each node runs exactly the cameras it claims
                Assert.Contains($"streamwatch_cluster_cameras_owned {claims.Values.Count(v => v == node.Name)}\n", await node.GetAsync("metrics"));
            await h.Alerts.WaitAsync(m => ClusterHarness.CameraNames(Cameras).All(c => m.Any(x => x.Camera == c && x.Type == "end")), Wait);

            // kill -9 of c: only c's cameras move, to a and b, within TTL + 5 s
            var onC = claims.Where(c => c.Value == "c").Select(c => c.Key).ToList();
            int Watches(string node, string camera) => h[node].Process.CountLines($"node {node} now watches camera {camera}");
            var watchedBefore = onC.ToDictionary(c => c, c => Abc.ToDictionary(n => n, n => Watches(n, c)));
            var killedAt = DateTimeOffset.UtcNow;
            var sw = Stopwatch.StartNew();
            await h["c"].KillAsync();
            var after = await h.WaitClaimsAsync(c => c.Count == Cameras && c.Values.All(v => v != "c"), TimeSpan.FromSeconds(Ttl + 5));
            foreach (var camera in onC)
            {
                var owner = h[after[camera]];
                await ClusterHarness.WaitWatchingAsync(owner, camera, TimeSpan.FromSeconds(Ttl + 5) - sw.Elapsed, watchedBefore[camera][owner.Name] + 1);
            }
            output.WriteLine($"kill -9 → its {onC.Count} cameras watched elsewhere: {sw.Elapsed.TotalSeconds:F2} s (TTL {Ttl} s; load {Load()})");
            foreach (var (camera, owner) in claims.Where(c => c.Value != "c")) Assert.Equal(owner, after[camera]);
            Assert.InRange(after.Values.Count(v => v == "a"), 6, 6);

            // alerts of the moved cameras keep coming from their new owners
            await h.Alerts.WaitAsync(m => onC.All(c => m.Any(x => x.Camera == c && x.Type == "end" && x.Start > killedAt)), Wait);

            // The killed node's outbox may hold alerts the broker never got: it is started again on
            // its state dir (as systemd would), drains its outbox once it holds a lease, and takes a share back.
            await h["c"].StartAgainAsync();
            await h.WaitBalancedAsync(Cameras, Abc, Wait);

            // a graceful stop ends every open alert; then every alert of every node's JSONL is on MQTT and in the store
            foreach (var n in h.Nodes) Assert.Equal(0, await n.StopAsync());
            var mqtt = h.Alerts.All();
            var errors = MqttAlerts.LifecycleErrors(mqtt);
            Assert.True(errors.Count == 0, "lifecycle out of order on MQTT:\n" + string.Join("\n", errors));
            var produced = h.Nodes.SelectMany(n => n.JsonlAlerts()).Select(a => (string)a["id"]!).ToHashSet();
            Assert.True(produced.Count >= Cameras, $"only {produced.Count} alerts"); // at least one per camera: the checks below are what matter
            var missing = produced.Where(id => !mqtt.Any(m => m.Id == id && m.Type == "end")).ToList();
            Assert.True(missing.Count == 0, "alerts never ended on MQTT: " + string.Join(", ", missing));
            using var events = open();
            var stored = await StoredAsync(events);
            var notStored = produced.Where(id => !stored.ContainsKey(id)).ToList();
            Assert.True(notStored.Count == 0, "alerts not in the store: " + string.Join(", ", notStored));
            var stillOpen = stored.Where(s => s.Value != "end").Select(s => s.Key).ToList();
            Assert.True(stillOpen.Count == 0, "incidents still open in the store: " + string.Join(", ", stillOpen));
            var notOnMqtt = stored.Keys.Where(id => !mqtt.Any(m => m.Id == id)).ToList();
            Assert.True(notOnMqtt.Count == 0, "stored alerts never on MQTT: " + string.Join(", ", notOnMqtt));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public async Task A_node_paused_past_its_lease_publishes_nothing_after_sigcont_until_it_holds_a_new_lease()
    {
        var dir = Repo.TempDir("threenode-stop");
        try
        {
            var (store, _) = SharedStore.Create(dir);
            await using var h = await ClusterHarness.StartAsync(dir, store, Cameras, Ttl);
            foreach (var n in Abc) await h.AddNodeAsync(n);
            var claims = await h.WaitBalancedAsync(Cameras, Abc, Wait);
            foreach (var camera in claims.Where(c => c.Value == "b").Select(c => c.Key)) await ClusterHarness.WaitWatchingAsync(h["b"], camera, Wait);
            await h.Alerts.WaitAsync(m => m.Any(x => claims[x.Camera] == "b" && x.Type == "new"), Wait); // b has alerts open or in flight

            h["b"].Pause();
            await h.WaitClaimsAsync(c => c.Count == Cameras && c.Values.All(v => v != "b"), TimeSpan.FromSeconds(Ttl + 5));
            var jsonlBefore = h["b"].JsonlAlerts().Count;
            var resumed = DateTimeOffset.UtcNow;
            h["b"].Resume();
            var line = await h["b"].Process.WaitForLineAsync("holds a new lease", Wait);
            var renewed = DateTimeOffset.Parse(line[..24], System.Globalization.CultureInfo.InvariantCulture);
            await h.WaitBalancedAsync(Cameras, Abc, Wait);

            // MQTT: the broker got nothing from b's client between SIGCONT and b's new lease
            var early = h.Alerts.PublishesFrom("streamwatch-b").Where(p => p.SeenBy >= resumed && p.SeenBy < renewed).ToList();
            Assert.True(early.Count == 0, $"b published before its new lease ({renewed:O}; SIGCONT {resumed:O}):\n"
                + string.Join("\n", early.Select(e => $"{e.SeenBy:O} {e.Line}"))
                + "\nb's log, last 60 lines:\n" + string.Join("\n", h["b"].Process.Lines.TakeLast(60)));
            await ClusterHarness.WaitAsync(() => Task.FromResult(h.Alerts.PublishesFrom("streamwatch-b")), l => l.Any(p => p.SeenBy >= renewed), Wait); // it did publish once it held a lease (held messages, new cameras)
            // store and JSONL: nothing written between SIGCONT and the new lease
            var written = h["b"].JsonlAlerts().Skip(jsonlBefore).Where(a => DateTimeOffset.Parse((string)a["time"]!) < renewed).ToList();
            Assert.True(written.Count == 0, "b wrote before its new lease: " + string.Join("\n", written));
            Assert.Matches(@"streamwatch_cluster_fenced_total [1-9]", await h["b"].GetAsync("metrics"));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public async Task A_joining_node_takes_a_fair_share_and_only_the_cameras_it_takes_move()
    {
        var dir = Repo.TempDir("threenode-join");
        try
        {
            var (store, _) = SharedStore.Create(dir);
            await using var h = await ClusterHarness.StartAsync(dir, store, Cameras, Ttl);
            foreach (var n in Abc) await h.AddNodeAsync(n);
            var before = await h.WaitBalancedAsync(Cameras, Abc, Wait);
            foreach (var (camera, owner) in before) await ClusterHarness.WaitWatchingAsync(h[owner], camera, Wait);

            await h.AddNodeAsync("d");
            var after = await h.WaitBalancedAsync(Cameras, [.. Abc, "d"], Wait);
            var moved = after.Where(c => c.Value != before[c.Key]).ToList();
            Assert.Equal(3, moved.Count);
            Assert.All(moved, m => Assert.Equal("d", m.Value));
            foreach (var (camera, _) in moved) await ClusterHarness.WaitWatchingAsync(h["d"], camera, Wait);
            // nothing else was stopped or started: each old node started each of its cameras once
            foreach (var n in Abc)
                foreach (var camera in before.Where(c => c.Value == n).Select(c => c.Key))
                    Assert.Equal(1, h[n].Process.CountLines($"now watches camera {camera}"));
            Assert.Equal(Cameras, (await h["d"].CamerasAsync()).Count(c => c.Value.Node == after[c.Key]));
        }
        finally { Directory.Delete(dir, true); }
    }

    /// <summary>Every stored incident: id → phase (all pages).</summary>
    private static async Task<Dictionary<string, string>> StoredAsync(IEventStore store)
    {
        var result = new Dictionary<string, string>();
        string? cursor = null;
        do
        {
            var page = await store.SearchAsync(new EventQuery { Limit = 500, Cursor = cursor });
            foreach (var e in page.Items) result[e.Id] = e.Phase;
            cursor = page.Next;
        } while (cursor != null);
        return result;
    }

    private static string Load() => File.ReadAllText("/proc/loadavg").Split(' ')[0];
}
