using System.Text.Json;
using Etcdserverpb;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.Logging;
using Mvccpb;
using StreamWatch.Core.Cluster;
using StreamWatch.Core.Config;

namespace StreamWatch.Cluster.Etcd;

/// <summary>
/// etcd v3 (gRPC, the generated clients of dotnet-etcd): one lease per node, kept alive every TTL/3
/// over a keep-alive stream; <c>&lt;prefix&gt;/nodes/&lt;node&gt;</c> and <c>&lt;prefix&gt;/claims/&lt;camera&gt;</c>
/// written under it; a watch of both prefixes keeps <see cref="View"/> current. The fence is fed
/// with the time each keep-alive request was sent.
/// </summary>
public sealed class EtcdCoordinator : ICoordinator
{
    private readonly ClusterOptions _options;
    private readonly ILogger _log;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _stop = new();
    private readonly object _lock = new();
    private readonly HashSet<string> _nodes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _claims = new(StringComparer.Ordinal);
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly string _nodesPrefix, _claimsPrefix;
    private EtcdConnection? _etcd;
    private int _endpoint;
    private long _leaseId;
    private volatile bool _leaseLost, _reachable;
    private Task _keepAlive = Task.CompletedTask, _watch = Task.CompletedTask;

    public EtcdCoordinator(ClusterOptions options, string node, ILogger log, TimeProvider time)
    {
        _options = options; Node = node; _log = log; _time = time;
        Fence = new LeaseFence(time);
        _nodesPrefix = options.Prefix + "/nodes/";
        _claimsPrefix = options.Prefix + "/claims/";
    }

    public string Node { get; }
    public LeaseFence Fence { get; }
    public bool LeaseLost => _leaseLost;
    public bool Reachable => _reachable;
    private TimeSpan Ttl => TimeSpan.FromSeconds(_options.LeaseTtlSeconds);

    public ClusterView View
    {
        get { lock (_lock) return new ClusterView(_nodes.Order(StringComparer.Ordinal).ToList(), new Dictionary<string, string>(_claims)); }
    }

    public async Task WaitChangeAsync(TimeSpan timeout, CancellationToken ct)
    {
        Task changed;
        lock (_lock) changed = _changed.Task;
        await Task.WhenAny(changed, Task.Delay(timeout, _time, ct)).ConfigureAwait(false);
    }

    private void Signal()
    {
        TaskCompletionSource done;
        lock (_lock) { done = _changed; _changed = new(TaskCreationOptions.RunContinuationsAsynchronously); }
        done.TrySetResult();
    }

    public async Task StartAsync(CancellationToken ct)
    {
        var errors = new List<string>();
        for (var i = 0; i < _options.Etcd.Endpoints.Count; i++)
        {
            _endpoint = i;
            _etcd = EtcdConnection.Open(_options.Etcd.Endpoints[i], _options.Etcd);
            try
            {
                await GrantAsync(rejoin: false, ct);
                errors.Clear();
                break;
            }
            catch (RpcException e) { errors.Add($"{_options.Etcd.Endpoints[i]}: {e.Status.StatusCode} {e.Status.Detail}"); _etcd.Dispose(); }
            catch (EtcdAuthException e) { _etcd.Dispose(); throw new UnavailableException($"Cluster:Etcd:Username: {e.Message}"); }
        }
        if (errors.Count > 0)
            throw new UnavailableException($"Cluster:Etcd:Endpoints: no etcd answered ({string.Join("; ", errors)})");
        _log.LogInformation("cluster: node {Node} joined through etcd {Endpoint} (lease {Lease:x}, TTL {Ttl} s, prefix {Prefix}, {Tls}, {User})",
            Node, _options.Etcd.Endpoints[_endpoint], _leaseId, _options.LeaseTtlSeconds, _options.Prefix,
            _options.Etcd.Tls.Enabled ? _options.Etcd.Tls.CertFile != null ? "TLS with a client certificate" : "TLS" : "no TLS",
            string.IsNullOrEmpty(_options.Etcd.Username) ? "no user" : $"user {_options.Etcd.Username}");
        await LoadViewAsync(ct);
        _keepAlive = Task.Run(() => KeepAliveLoopAsync(_stop.Token));
        _watch = Task.Run(() => WatchLoopAsync(_stop.Token));
    }

    /// <summary>
    /// Grants a lease and writes the node key under it; the fence opens from the grant's send time.
    /// A rejoin is logged before the fence opens, so nothing this node publishes under the new lease
    /// can carry an earlier time than that line.
    /// </summary>
    private async Task GrantAsync(bool rejoin, CancellationToken ct)
    {
        await _etcd!.AuthenticateAsync(ct); // before `sent`, so the login's round trip does not shorten the fence
        var sent = _time.GetTimestamp();
        var r = await _etcd.CallAsync((c, o) => new Lease.LeaseClient(c).LeaseGrantAsync(new LeaseGrantRequest { TTL = _options.LeaseTtlSeconds }, o), ct);
        Interlocked.Exchange(ref _leaseId, r.ID);
        await RevokePreviousAsync(r.ID, ct);
        var json = JsonSerializer.Serialize(new { node = Node, started = _time.GetUtcNow().UtcDateTime.ToString("O") });
        await _etcd.CallAsync((c, o) => new KV.KVClient(c).PutAsync(new PutRequest { Key = Bytes(_nodesPrefix + Node), Value = Bytes(json), Lease = r.ID }, o), ct);
        if (rejoin) _log.LogWarning("cluster: node {Node} holds a new lease {Lease:x}; rejoining", Node, r.ID);
        Fence.Granted(sent, TimeSpan.FromSeconds(r.TTL));
        _leaseLost = false;
        _reachable = true;
        Signal();
    }

    /// <summary>
    /// A node key of this node id under another lease is a previous run of this node (killed, restarted
    /// within the TTL): its lease is revoked so that its claims go now, not after the TTL, and this run
    /// claims afresh under its own lease. (Node ids are unique per node, docs/scale.md.)
    /// </summary>
    private async Task RevokePreviousAsync(long lease, CancellationToken ct)
    {
        var old = (await _etcd!.CallAsync((c, o) => new KV.KVClient(c).RangeAsync(new RangeRequest { Key = Bytes(_nodesPrefix + Node) }, o), ct)).Kvs;
        if (old.Count == 0 || old[0].Lease == lease || old[0].Lease == 0) return;
        _log.LogWarning("cluster: a previous run of node {Node} left lease {Lease:x} with its claims; revoking it", Node, old[0].Lease);
        try { await _etcd.CallAsync((c, o) => new Lease.LeaseClient(c).LeaseRevokeAsync(new LeaseRevokeRequest { ID = old[0].Lease }, o), ct); }
        catch (RpcException e) when (e.StatusCode == StatusCode.NotFound) { } // expired meanwhile
    }

    public async Task RenewLeaseAsync(CancellationToken ct)
    {
        await GrantAsync(rejoin: true, ct);
    }

    private async Task KeepAliveLoopAsync(CancellationToken stop)
    {
        var every = TimeSpan.FromTicks(Ttl.Ticks / 3);
        while (!stop.IsCancellationRequested)
        {
            try
            {
                var etcd = _etcd!;
                await etcd.AuthenticateAsync(stop);
                using var call = new Lease.LeaseClient(etcd.Channel).LeaseKeepAlive(etcd.Stream(stop));
                while (!stop.IsCancellationRequested)
                {
                    if (!_leaseLost)
                    {
                        var id = Interlocked.Read(ref _leaseId);
                        var sent = _time.GetTimestamp();
                        await call.RequestStream.WriteAsync(new LeaseKeepAliveRequest { ID = id }, stop);
                        using var answer = CancellationTokenSource.CreateLinkedTokenSource(stop);
                        answer.CancelAfter(EtcdConnection.CallTimeout);
                        if (!await call.ResponseStream.MoveNext(answer.Token)) throw new RpcException(new Status(StatusCode.Unavailable, "keep-alive stream ended"));
                        var r = call.ResponseStream.Current;
                        var was = _reachable;
                        _reachable = true;
                        if (r.ID == Interlocked.Read(ref _leaseId))
                        {
                            if (r.TTL > 0) Fence.Granted(sent, TimeSpan.FromSeconds(r.TTL));
                            else Lost("etcd says the lease expired");
                        }
                        if (!was && r.TTL > 0) _log.LogInformation("cluster: etcd answers again; lease {Lease:x} still held", r.ID);
                    }
                    await Task.Delay(every, _time, stop);
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested) { return; }
            catch (Exception e) when (e is RpcException or OperationCanceledException or IOException or EtcdAuthException)
            {
                if (e is RpcException { StatusCode: StatusCode.Unauthenticated }) _etcd?.Forget();
                if (_reachable) _log.LogWarning("cluster: etcd keep-alive failed ({Error}); the lease holds for {Left:F1} s more", Short(e), Fence.Remaining.TotalSeconds);
                _reachable = false;
                Signal();
                NextEndpoint();
                try { await Task.Delay(TimeSpan.FromMilliseconds(500), _time, stop); } catch (OperationCanceledException) { return; }
            }
        }
    }

    private void Lost(string why)
    {
        if (_leaseLost) return;
        _leaseLost = true;
        Fence.Lost();
        _log.LogWarning("cluster: node {Node} lost its lease {Lease:x}: {Why}", Node, _leaseId, why);
        Signal();
    }

    /// <summary>Reads both prefixes, then watches them from the next revision; after an error, reads again.</summary>
    private async Task WatchLoopAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                var revision = await LoadViewAsync(stop);
                var etcd = _etcd!;
                using var call = new Watch.WatchClient(etcd.Channel).Watch(etcd.Stream(stop));
                foreach (var prefix in (string[])[_nodesPrefix, _claimsPrefix])
                    await call.RequestStream.WriteAsync(new WatchRequest
                    {
                        CreateRequest = new WatchCreateRequest { Key = Bytes(prefix), RangeEnd = RangeEnd(prefix), StartRevision = revision + 1 },
                    }, stop);
                while (await call.ResponseStream.MoveNext(stop))
                {
                    var r = call.ResponseStream.Current;
                    if (r.Canceled) break; // compacted: read again
                    if (r.Events.Count == 0) continue;
                    lock (_lock) foreach (var e in r.Events) Apply(e.Type == Event.Types.EventType.Put, e.Kv.Key.ToStringUtf8(), e.Kv.Value.ToStringUtf8());
                    Signal();
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested) { return; }
            catch (Exception e) when (e is RpcException or IOException or EtcdAuthException)
            {
                if (e is RpcException { StatusCode: StatusCode.Unauthenticated }) _etcd?.Forget();
                _log.LogDebug("cluster: etcd watch failed ({Error}); reading again", Short(e));
                try { await Task.Delay(TimeSpan.FromMilliseconds(500), _time, stop); } catch (OperationCanceledException) { return; }
            }
        }
    }

    private async Task<long> LoadViewAsync(CancellationToken ct)
    {
        var r = await _etcd!.CallAsync((c, o) => new KV.KVClient(c).RangeAsync(new RangeRequest { Key = Bytes(_options.Prefix + "/"), RangeEnd = RangeEnd(_options.Prefix + "/") }, o), ct);
        lock (_lock)
        {
            _nodes.Clear();
            _claims.Clear();
            foreach (var kv in r.Kvs) Apply(true, kv.Key.ToStringUtf8(), kv.Value.ToStringUtf8());
        }
        Signal();
        return r.Header.Revision;
    }

    private void Apply(bool put, string key, string value)
    {
        if (key.StartsWith(_nodesPrefix, StringComparison.Ordinal))
        {
            var node = key[_nodesPrefix.Length..];
            if (put) _nodes.Add(node); else _nodes.Remove(node);
        }
        else if (key.StartsWith(_claimsPrefix, StringComparison.Ordinal))
        {
            var camera = key[_claimsPrefix.Length..];
            if (put) _claims[camera] = value; else _claims.Remove(camera);
        }
    }

    public async Task<bool> TryClaimAsync(string camera, CancellationToken ct)
    {
        var key = Bytes(_claimsPrefix + camera);
        var lease = Interlocked.Read(ref _leaseId);
        var txn = new TxnRequest();
        txn.Compare.Add(new Compare { Key = key, Target = Compare.Types.CompareTarget.Create, Result = Compare.Types.CompareResult.Equal, CreateRevision = 0 });
        txn.Success.Add(new RequestOp { RequestPut = new PutRequest { Key = key, Value = Bytes(Node), Lease = lease } });
        txn.Failure.Add(new RequestOp { RequestRange = new RangeRequest { Key = key } });
        var r = await _etcd!.CallAsync((c, o) => new KV.KVClient(c).TxnAsync(txn, o), ct);
        if (r.Succeeded) return true;
        var kvs = r.Responses[0].ResponseRange.Kvs;
        return kvs.Count == 1 && kvs[0].Value.ToStringUtf8() == Node && kvs[0].Lease == lease;
    }

    public async Task ReleaseAsync(string camera, CancellationToken ct)
    {
        var key = Bytes(_claimsPrefix + camera);
        var txn = new TxnRequest();
        txn.Compare.Add(new Compare { Key = key, Target = Compare.Types.CompareTarget.Value, Result = Compare.Types.CompareResult.Equal, Value = Bytes(Node) });
        txn.Success.Add(new RequestOp { RequestDeleteRange = new DeleteRangeRequest { Key = key } });
        await _etcd!.CallAsync((c, o) => new KV.KVClient(c).TxnAsync(txn, o), ct);
    }

    public async Task LeaveAsync(CancellationToken ct)
    {
        await _stop.CancelAsync();
        if (_leaseLost) return;
        var id = Interlocked.Read(ref _leaseId);
        try { await _etcd!.CallAsync((c, o) => new Lease.LeaseClient(c).LeaseRevokeAsync(new LeaseRevokeRequest { ID = id }, o), ct); }
        catch (Exception e) when (e is RpcException or EtcdAuthException) { _log.LogWarning("cluster: lease not revoked ({Error}); its keys expire with it", Short(e)); }
        Fence.Lost();
    }

    private void NextEndpoint()
    {
        if (_options.Etcd.Endpoints.Count < 2) return;
        _endpoint = (_endpoint + 1) % _options.Etcd.Endpoints.Count;
        var old = _etcd;
        _etcd = EtcdConnection.Open(_options.Etcd.Endpoints[_endpoint], _options.Etcd);
        old?.Dispose();
    }

    private static string Short(Exception e) => e is RpcException r ? $"{r.StatusCode} {r.Status.Detail}" : e.Message;
    private static ByteString Bytes(string s) => ByteString.CopyFromUtf8(s);
    private static ByteString RangeEnd(string prefix)
    {
        var b = System.Text.Encoding.UTF8.GetBytes(prefix);
        b[^1]++;
        return ByteString.CopyFrom(b);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_keepAlive, _watch).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _etcd?.Dispose();
        _stop.Dispose();
    }
}
