using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using StreamWatch.Core.Config;

namespace StreamWatch.IntegrationTests.Support;

/// <summary>
/// A real single-member etcd (Debian etcd-server, /usr/bin/etcd) on 127.0.0.1 with free client and
/// peer ports and its own temp data dir. Can be stopped, frozen (SIGSTOP) and started again on the
/// same ports and data. <see cref="PutAsync"/>/<see cref="GetAsync"/> use etcd's JSON gateway, so a
/// test can look at the keys without a client library. With <see cref="TlsFiles"/> it serves https
/// only and asks every client for a certificate signed by the same CA (--client-cert-auth);
/// <see cref="EnableAuthAsync"/> turns on etcd's users, after which the helpers act as root.
/// </summary>
public sealed class EtcdServer : IAsyncDisposable
{
    private const string RootPassword = "etcd-root-test-pw";
    private readonly HttpClient _http;
    private readonly int _peerPort;
    private readonly TlsFiles? _tls;
    private ChildProcess? _process;
    private bool _auth;
    private string? _token;

    private EtcdServer(string dir, int clientPort, int peerPort, TlsFiles? tls, (string Cert, string Key)? client)
    {
        Dir = dir; ClientPort = clientPort; _peerPort = peerPort; _tls = tls;
        var handler = new HttpClientHandler();
        if (tls != null)
        {
            var trust = new TlsOptions { CaFile = tls.CaFile, CertFile = client!.Value.Cert, KeyFile = client.Value.Key };
            var validate = trust.ServerValidator();
            handler.ServerCertificateCustomValidationCallback = (_, cert, chain, errors) => validate(cert, chain, errors);
            handler.ClientCertificates.Add(trust.LoadClientCertificate()!);
        }
        _http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(10) };
    }

    public string Dir { get; }
    public int ClientPort { get; }
    /// <summary>The client URL, e.g. http://127.0.0.1:23791 (what Cluster:Etcd:Endpoints takes); https with TLS.</summary>
    public string Endpoint => $"{(_tls == null ? "http" : "https")}://127.0.0.1:{ClientPort}";
    public bool Running => _process is { HasExited: false };
    public string Output => _process?.Output ?? "";
    public int Pid => _process?.Pid ?? 0;

    /// <summary>Starts etcd; with <paramref name="tls"/> on https with client certificates, the helpers presenting <paramref name="client"/>.</summary>
    public static async Task<EtcdServer> StartAsync(TlsFiles? tls = null, (string Cert, string Key)? client = null)
    {
        var server = new EtcdServer(Repo.TempDir("etcd"), FreePort.Get(), FreePort.Get(), tls, client);
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
            .. (_tls == null ? Array.Empty<string>() :
                ["--cert-file", _tls.CertFile, "--key-file", _tls.KeyFile, "--client-cert-auth", "--trusted-ca-file", _tls.CaFile]),
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
                var body = await _http.GetStringAsync(Endpoint + "/health", cts.Token);
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

    /// <summary>
    /// Turns on etcd's users: root, and <paramref name="user"/> with read/write on keys under
    /// <paramref name="prefix"/> (what a node needs). From here on the helpers authenticate as root.
    /// </summary>
    public async Task EnableAuthAsync(string user, string password, string prefix)
    {
        await PostAsync("/v3/auth/user/add", new { name = "root", password = RootPassword });
        await PostAsync("/v3/auth/role/add", new { name = "root" });
        await PostAsync("/v3/auth/user/grant", new { user = "root", role = "root" });
        await PostAsync("/v3/auth/user/add", new { name = user, password });
        await PostAsync("/v3/auth/role/add", new { name = "node" });
        var end = Encoding.UTF8.GetBytes(prefix);
        end[^1]++;
        await PostAsync("/v3/auth/role/grant", new { name = "node", perm = new { permType = "READWRITE", key = B64(prefix), range_end = Convert.ToBase64String(end) } });
        await PostAsync("/v3/auth/user/grant", new { user, role = "node" });
        await PostAsync("/v3/auth/enable", new { });
        _auth = true;
    }

    public async Task PutAsync(string key, string value) => (await PostAsync("/v3/kv/put", new { key = B64(key), value = B64(value) })).Dispose();

    /// <summary>The value of a key, or null when absent.</summary>
    public async Task<string?> GetAsync(string key)
    {
        var kvs = await RangeAsync(new { key = B64(key) });
        return kvs.Count == 0 ? null : kvs[0].Value;
    }

    /// <summary>The lease a key was written under (0: none), or null when the key is absent.</summary>
    public async Task<long?> LeaseOfAsync(string key)
    {
        using var doc = await PostAsync("/v3/kv/range", new { key = B64(key) });
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
        using var doc = await PostAsync("/v3/kv/range", request);
        var list = new List<(string, string)>();
        if (doc.RootElement.TryGetProperty("kvs", out var kvs))
            foreach (var kv in kvs.EnumerateArray())
                list.Add((Un64(kv.GetProperty("key").GetString()!),
                    kv.TryGetProperty("value", out var v) ? Un64(v.GetString()!) : ""));
        return list;
    }

    /// <summary>A call of etcd's JSON gateway; once users are on, as root (a new token after a restart).</summary>
    private async Task<JsonDocument> PostAsync(string path, object body, bool retried = false)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, Endpoint + path) { Content = JsonContent.Create(body) };
        if (_auth) request.Headers.TryAddWithoutValidation("Authorization", _token ??= await RootTokenAsync());
        using var r = await _http.SendAsync(request);
        var text = await r.Content.ReadAsStringAsync();
        if (_auth && !retried && r.StatusCode == System.Net.HttpStatusCode.Unauthorized)
        {
            _token = null;
            return await PostAsync(path, body, retried: true);
        }
        if (!r.IsSuccessStatusCode) throw new HttpRequestException($"etcd {path}: {(int)r.StatusCode} {text}");
        return JsonDocument.Parse(text);
    }

    private async Task<string> RootTokenAsync()
    {
        using var r = await _http.PostAsJsonAsync(Endpoint + "/v3/auth/authenticate", new { name = "root", password = RootPassword });
        var text = await r.Content.ReadAsStringAsync();
        if (!r.IsSuccessStatusCode) throw new HttpRequestException($"etcd authenticate as root: {(int)r.StatusCode} {text}");
        using var doc = JsonDocument.Parse(text);
        return doc.RootElement.GetProperty("token").GetString()!;
    }

    private static string B64(string s) => Convert.ToBase64String(Encoding.UTF8.GetBytes(s));
    private static string Un64(string s) => Encoding.UTF8.GetString(Convert.FromBase64String(s));

    public async ValueTask DisposeAsync()
    {
        if (_process != null) await _process.DisposeAsync();
        _http.Dispose();
        try { Directory.Delete(Dir, true); } catch (IOException) { }
    }
}
