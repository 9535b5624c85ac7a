using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace StreamWatch.IntegrationTests.Support;

/// <summary>
/// A real single-member etcd (Debian etcd-server, /usr/bin/etcd) on 127.0.0.1 with free client and
/// peer ports and its own temp data dir. Can be stopped, frozen (SIGSTOP) and started again on the
/// same ports and data. <see cref="PutAsync"/>/<see cref="GetAsync"/> use etcd's JSON gateway, so a
/// test can look at the keys without a client library.
/// </summary>
public sealed class EtcdServer : IAsyncDisposable
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };
    private readonly int _peerPort;
    private ChildProcess? _process;

    private EtcdServer(string dir, int clientPort, int peerPort) { Dir = dir; ClientPort = clientPort; _peerPort = peerPort; }

    public string Dir { get; }
    public int ClientPort { get; }
    /// <summary>The client URL, e.g. http://127.0.0.1:23791 (what Cluster:Etcd:Endpoints takes).</summary>
    public string Endpoint => $"http://127.0.0.1:{ClientPort}";
    public bool Running => _process is { HasExited: false };
    public string Output => _process?.Output ?? "";
    public int Pid => _process?.Pid ?? 0;

    public static async Task<EtcdServer> StartAsync()
    {
        var server = new EtcdServer(Repo.TempDir("etcd"), FreePort.Get(), FreePort.Get());
        await server.StartAgainAsync();
        return server;
    }

    /// <summary>Starts etcd (again) on the same ports and data dir; returns once /health says true.</summary>
    public async Task StartAgainAsync()
    {
        if (Running) throw new InvalidOperationException("etcd already running");
        if (_process != null) await _process.DisposeAsync();
        var peer = $"http://127.0.0.1:{_peerPort}";
        _process = ChildProcess.Start("/usr/bin/etcd", [
            "--name", "test", "--data-dir", Path.Combine(Dir, "data"),
            "--listen-client-urls", Endpoint, "--advertise-client-urls", Endpoint,
            "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
            "--initial-cluster", $"test={peer}", "--initial-cluster-state", "new",
            "--logger", "zap", "--log-outputs", "stderr",
        ]);
        await WaitHealthyAsync(TimeSpan.FromSeconds(30));
    }

    private async Task WaitHealthyAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (true)
        {
            if (_process!.HasExited) throw new InvalidOperationException("etcd exited at start:\n" + _process.Tail());
            try
            {
                var body = await Http.GetStringAsync(Endpoint + "/health", cts.Token);
                if (body.Contains("\"true\"")) return;
            }
            catch (HttpRequestException) { }
            catch (OperationCanceledException) when (cts.IsCancellationRequested)
            {
                throw new TimeoutException($"etcd not healthy within {timeout}:\n{_process.Tail()}");
            }
            await Task.Delay(50, cts.Token); // retry interval while etcd starts, not a synchronisation sleep
        }
    }

    /// <summary>Stops etcd with SIGTERM (data kept; <see cref="StartAgainAsync"/> brings it back).</summary>
    public async Task StopAsync()
    {
        if (!Running) return;
        await _process!.TerminateAsync(TimeSpan.FromSeconds(30));
    }

    public void Freeze() => _process!.Signal(ChildProcess.SIGSTOP);
    public void Thaw() => _process!.Signal(ChildProcess.SIGCONT);

    public async Task PutAsync(string key, string value)
    {
        using var r = await Http.PostAsJsonAsync(Endpoint + "/v3/kv/put", new { key = B64(key), value = B64(value) });
        r.EnsureSuccessStatusCode();
    }

    /// <summary>The value of a key, or null when absent.</summary>
    public async Task<string?> GetAsync(string key)
    {
        var kvs = await RangeAsync(new { key = B64(key) });
        return kvs.Count == 0 ? null : kvs[0].Value;
    }

    /// <summary>The lease a key was written under (0: none), or null when the key is absent.</summary>
    public async Task<long?> LeaseOfAsync(string key)
    {
        using var r = await Http.PostAsJsonAsync(Endpoint + "/v3/kv/range", new { key = B64(key) });
        r.EnsureSuccessStatusCode();
        using var doc = JsonDocument.Parse(await r.Content.ReadAsStringAsync());
        if (!doc.RootElement.TryGetProperty("kvs", out var kvs) || kvs.GetArrayLength() == 0) return null;
        return kvs[0].TryGetProperty("lease", out var l) ? long.Parse(l.GetString()!) : 0;
    }

    /// <summary>Every key under a prefix with its value, sorted by key.</summary>
    public async Task<IReadOnlyList<(string Key, string Value)>> GetPrefixAsync(string prefix)
    {
        var end = Encoding.UTF8.GetBytes(prefix);
        end[^1]++;
        return await RangeAsync(new { key = B64(prefix), range_end = Convert.ToBase64String(end) });
    }

    private async Task<List<(string Key, string Value)>> RangeAsync(object request)
    {
        using var r = await Http.PostAsJsonAsync(Endpoint + "/v3/kv/range", request);
        r.EnsureSuccessStatusCode();
        using var doc = JsonDocument.Parse(await r.Content.ReadAsStringAsync());
        var list = new List<(string, string)>();
        if (doc.RootElement.TryGetProperty("kvs", out var kvs))
            foreach (var kv in kvs.EnumerateArray())
                list.Add((Un64(kv.GetProperty("key").GetString()!),
                    kv.TryGetProperty("value", out var v) ? Un64(v.GetString()!) : ""));
        return list;
    }

    private static string B64(string s) => Convert.ToBase64String(Encoding.UTF8.GetBytes(s));
    private static string Un64(string s) => Encoding.UTF8.GetString(Convert.FromBase64String(s));

    public async ValueTask DisposeAsync()
    {
        if (_process != null) await _process.DisposeAsync();
        try { Directory.Delete(Dir, true); } catch (IOException) { }
    }
}
