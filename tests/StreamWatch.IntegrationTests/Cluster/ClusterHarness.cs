using System.Diagnostics;
using System.Text.Json.Nodes;
using StreamWatch.IntegrationTests.Support;

namespace StreamWatch.IntegrationTests.Cluster;

/// <summary>
/// One `streamwatch run` of a cluster node (docs/scale.md): its own folder with config and state dir,
/// MQTT to the shared broker (client id and availability from Cluster:Node, Mqtt:Node left empty),
/// a fresh free listener port per start. Unlike DaemonProcess it can be killed and started again on
/// the same state dir (outbox, retained ledger, JSONL).
/// </summary>
public sealed class ClusterNode : IAsyncDisposable
{
    private readonly string _cameras, _extra;
    private HttpClient? _http;

    private ClusterNode(string name, string dir, string cameras, string extra) { Name = name; Dir = dir; _cameras = cameras; _extra = extra; }

    public string Name { get; }
    public string Dir { get; }
    public string StateDir => Path.Combine(Dir, "state");
    public ChildProcess Process { get; private set; } = null!;
    public int Port { get; private set; }
    public int Starts { get; private set; }

    /// <param name="extra">Further top-level config members, each starting with a comma (Mqtt, Store, Cluster).</param>
    public static async Task<ClusterNode> StartAsync(string name, string root, string cameras, string extra)
    {
        var node = new ClusterNode(name, Path.Combine(root, name), cameras, extra);
        Directory.CreateDirectory(node.Dir);
        await node.StartAgainAsync();
        return node;
    }

    /// <summary>Starts the node (again) on the same state dir; returns once it logged that it started.</summary>
    public async Task StartAgainAsync()
    {
        if (Starts > 0 && !Process.HasExited) throw new InvalidOperationException($"node {Name} still running");
        if (Starts > 0) await Process.DisposeAsync();
        Port = FreePort.Get();
        var config = Path.Combine(Dir, "config.json");
        await File.WriteAllTextAsync(config, $$"""
            {"Cameras": {{_cameras}}, "Output": {"StateDirectory": "{{StateDir}}"},
             "Observability": {"Listen": "127.0.0.1:{{Port}}"} {{_extra}} }
            """);
        _http?.Dispose();
        _http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{Port}/"), Timeout = TimeSpan.FromSeconds(30) };
        Process = ChildProcess.Start("dotnet", [Repo.DaemonDll, "run", "--config", config], workDir: Dir);
        Starts++;
        await Process.WaitForLineAsync("streamwatch started", TimeSpan.FromSeconds(120));
    }

    /// <summary>kill -9, and waits until it is gone.</summary>
    public async Task KillAsync()
    {
        Process.Signal(ChildProcess.SIGKILL);
        await Process.WaitExitAsync(TimeSpan.FromSeconds(30));
    }

    public void Pause() => Process.Signal(ChildProcess.SIGSTOP);
    public void Resume() => Process.Signal(ChildProcess.SIGCONT);

    /// <summary>SIGTERM; the exit code.</summary>
    public Task<int> StopAsync() => Process.TerminateAsync(TimeSpan.FromSeconds(60));

    public async Task<string> GetAsync(string path)
    {
        using var r = await _http!.GetAsync(path);
        r.EnsureSuccessStatusCode();
        return await r.Content.ReadAsStringAsync();
    }

    /// <summary>/api/cameras: camera → (owner node or null, watched here).</summary>
    public async Task<Dictionary<string, (string? Node, bool Local)>> CamerasAsync() =>
        JsonNode.Parse(await GetAsync("api/cameras"))!.AsArray()
            .ToDictionary(c => (string)c!["name"]!, c => ((string?)c!["node"], (bool)c["local"]!));

    /// <summary>The alert lines this node's JSONL sink wrote (every run on this state dir).</summary>
    public IReadOnlyList<JsonNode> JsonlAlerts()
    {
        var path = Path.Combine(StateDir, "events.jsonl");
        if (!File.Exists(path)) return [];
        using var f = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(f);
        var list = new List<JsonNode>();
        while (reader.ReadLine() is { } line)
            if (line.Length > 0 && JsonNode.Parse(line) is { } n && n["id"] != null && n["phase"] != null) list.Add(n);
        return list;
    }

    public async ValueTask DisposeAsync()
    {
        _http?.Dispose();
        if (Starts > 0) await Process.DisposeAsync();
    }
}

/// <summary>
/// etcd, mosquitto, an alert collector and N cluster nodes sharing twelve looping file cameras
/// (a box crosses the zone of rule "intrusion" every loop, so every camera raises an alert every
/// <see cref="LoopSeconds"/> s). The store fragment comes from the caller (the shared store).
/// </summary>
public sealed class ClusterHarness : IAsyncDisposable
{
    public const int LoopSeconds = 6;
    public const string Prefix = "/sw3n";
    private readonly List<ClusterNode> _nodes = [];

    private ClusterHarness(string dir, EtcdServer etcd, MosquittoBroker broker, MqttAlerts alerts, string cameras, int ttl, string store)
    { Dir = dir; Etcd = etcd; Broker = broker; Alerts = alerts; Cameras = cameras; Ttl = ttl; _store = store; }

    private readonly string _store;
    public string Dir { get; }
    public EtcdServer Etcd { get; }
    public MosquittoBroker Broker { get; }
    public MqttAlerts Alerts { get; }
    public string Cameras { get; }
    public int Ttl { get; }
    public IReadOnlyList<ClusterNode> Nodes => _nodes;
    public ClusterNode this[string name] => _nodes.Single(n => n.Name == name);
    public static IReadOnlyList<string> CameraNames(int n) => Enumerable.Range(1, n).Select(i => $"cam{i:D2}").ToList();

    /// <param name="store">The Store section as an extra fragment (", \"Store\": {...}").</param>
    public static async Task<ClusterHarness> StartAsync(string dir, string store, int cameras = 12, int ttl = 3)
    {
        var clip = await TestClips.MovingBoxAsync(dir, seconds: LoopSeconds, enterS: 0.5);
        var etcd = await EtcdServer.StartAsync();
        var broker = await MosquittoBroker.StartAsync(tcpNoDelay: true);
        var alerts = await MqttAlerts.StartAsync(broker);
        var list = new JsonArray(CameraNames(cameras).Select(name => (JsonNode)new JsonObject
        {
            ["Name"] = name, ["Url"] = clip, ["Loop"] = true, ["AnalysisFps"] = 2,
            ["Zones"] = new JsonArray(new JsonObject { ["Name"] = "lawn", ["Polygon"] = "0,0.4 1,0.4 1,1 0,1" }),
            ["Rules"] = new JsonArray(new JsonObject { ["Name"] = "intrusion", ["Zone"] = "lawn", ["EndAfterSeconds"] = 1 }),
        }).ToArray());
        return new ClusterHarness(dir, etcd, broker, alerts, list.ToJsonString(), ttl, store);
    }

    public string Extra(string node) =>
        $$$""", "Mqtt": {"Enabled": true, "Port": {{{Broker.Port}}}, "Discovery": {"Enabled": false}, "StatsIntervalSeconds": 0}"""
        + _store
        + $$$""", "Cluster": {"Enabled": true, "Node": "{{{node}}}", "Etcd": {"Endpoints": ["{{{Etcd.Endpoint}}}"]}, "LeaseTtlSeconds": {{{Ttl}}}, "Prefix": "{{{Prefix}}}"}""";

    public async Task<ClusterNode> AddNodeAsync(string name)
    {
        var node = await ClusterNode.StartAsync(name, Dir, Cameras, Extra(name));
        _nodes.Add(node);
        return node;
    }

    /// <summary>The claim keys: camera → owner node.</summary>
    public Task<Dictionary<string, string>> ClaimsAsync() => ClusterConfig.ClaimsAsync(Etcd, Prefix);

    public Task<Dictionary<string, string>> WaitClaimsAsync(Func<Dictionary<string, string>, bool> done, TimeSpan timeout) =>
        ClusterConfig.WaitClaimsAsync(Etcd, Prefix, done, timeout);

    /// <summary>Waits until all <paramref name="cameras"/> are claimed, each node of <paramref name="nodes"/> holding floor or ceil of its share.</summary>
    public Task<Dictionary<string, string>> WaitBalancedAsync(int cameras, IReadOnlyCollection<string> nodes, TimeSpan timeout) =>
        WaitClaimsAsync(c => c.Count == cameras && c.Values.All(nodes.Contains)
            && nodes.All(n => c.Values.Count(v => v == n) is var k && k >= cameras / nodes.Count && k <= (cameras + nodes.Count - 1) / nodes.Count), timeout);

    /// <summary>Waits for the <paramref name="occurrence"/>-th "now watches" line of <paramref name="camera"/> on <paramref name="node"/> (it claimed and started it).</summary>
    public static async Task WaitWatchingAsync(ClusterNode node, string camera, TimeSpan timeout, int occurrence = 1) =>
        await node.Process.WaitForLineAsync($"node {node.Name} now watches camera {camera}", timeout, occurrence);

    /// <summary>Polls <paramref name="read"/> until <paramref name="done"/> holds (a bounded wait on a condition).</summary>
    public static async Task<T> WaitAsync<T>(Func<Task<T>> read, Func<T, bool> done, TimeSpan timeout, Func<T, string>? show = null)
    {
        var sw = Stopwatch.StartNew();
        while (true)
        {
            var v = await read();
            if (done(v)) return v;
            if (sw.Elapsed > timeout) throw new TimeoutException($"never got there within {timeout}: {(show ?? (x => $"{x}"))(v)}");
            await Task.Delay(200); // poll interval inside a bounded wait
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var n in _nodes) await n.DisposeAsync();
        await Alerts.DisposeAsync();
        await Broker.DisposeAsync();
        await Etcd.DisposeAsync();
    }
}
