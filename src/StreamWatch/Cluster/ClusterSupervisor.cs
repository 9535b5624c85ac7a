using Microsoft.Extensions.Logging;
using StreamWatch.Core.Cluster;
using StreamWatch.Core.Telemetry;

namespace StreamWatch.Cluster;

/// <summary>What the supervisor does to cameras; the daemon implements it (a test can record the calls).</summary>
public interface ICameraHost
{
    /// <summary>Starts the camera's worker (its own loop; nothing else calls into it).</summary>
    void Start(string camera);
    /// <summary>Ends the camera's loop and waits for its flush (open alerts end).</summary>
    Task StopAsync(string camera);
    /// <summary>Ends, through the bus, the incidents of a camera just claimed that the shared store still has open.</summary>
    Task EndLeftOpenAsync(string camera, CancellationToken ct);
    /// <summary>The fence opened again: let held publications go.</summary>
    void FenceOpened();
}

/// <summary>
/// Starts and stops cameras as this node's claims come and go (docs/scale.md). One loop, woken by
/// every change of the cluster view or the lease and at least once a second:
/// fence closed → stop every camera (claims are not released: they expire with the lease), get a new
/// lease once etcd says the old one is gone; fence open → <see cref="ClusterPlan.Decide"/>: stop then
/// release what moves away, claim then start what moves here. On stop: stop all, release all.
/// </summary>
public sealed class ClusterSupervisor(ICoordinator coordinator, IReadOnlyList<string> cameras, ICameraHost host, ILogger log)
{
    private readonly HashSet<string> _running = new(StringComparer.Ordinal);
    private readonly HashSet<string> _unseen = new(StringComparer.Ordinal); // claimed, not yet in the watched view
    private bool _wasOpen = true;
    private int _owned, _nodes;

    public int Owned => Volatile.Read(ref _owned);
    public int Nodes => Volatile.Read(ref _nodes);

    public async Task RunAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try { await StepAsync(stop); }
            catch (OperationCanceledException) when (stop.IsCancellationRequested) { break; }
            catch (Exception e) { log.LogWarning("cluster: step failed ({Error}); retrying", e.Message); }
            try { await coordinator.WaitChangeAsync(TimeSpan.FromSeconds(1), stop); }
            catch (OperationCanceledException) { break; }
        }
        await StopAsync(_running.ToList(), release: coordinator.Fence.MayPublish, "released");
    }

    /// <summary>One reconciliation against the current view (public for tests).</summary>
    public async Task StepAsync(CancellationToken ct)
    {
        var open = coordinator.Fence.MayPublish;
        if (open && !_wasOpen) host.FenceOpened();
        _wasOpen = open;
        if (!open)
        {
            if (_running.Count > 0)
                log.LogWarning("cluster: lease of node {Node} may have expired: stopping its {Count} camera(s)", coordinator.Node, _running.Count);
            await StopAsync(_running.ToList(), release: false, "lost");
            _unseen.Clear();
            if (coordinator.LeaseLost) await coordinator.RenewLeaseAsync(ct);
            return;
        }

        var view = coordinator.View;
        Volatile.Write(ref _nodes, view.Nodes.Count);
        var me = coordinator.Node;
        var claims = new Dictionary<string, string>(view.Claims, StringComparer.Ordinal);
        foreach (var c in _unseen.ToList())
            if (!claims.TryAdd(c, me)) _unseen.Remove(c); // the watch shows it now (as ours, or not)
        var taken = _running.Where(c => claims.GetValueOrDefault(c) != me).ToList();
        foreach (var c in taken) log.LogWarning("cluster: claim of camera {Camera} is no longer node {Node}'s; stopping it", c, me);
        await StopAsync(taken, release: false, "lost");

        var step = ClusterPlan.Decide(me, view.Nodes, cameras, claims);
        foreach (var c in step.Release) log.LogInformation("cluster: camera {Camera} moves away from node {Node}", c, me);
        await StopAsync(step.Release, release: true, "released");
        foreach (var c in step.Claim)
        {
            if (!coordinator.Fence.MayPublish) return;
            if (!await coordinator.TryClaimAsync(c, ct)) continue;
            _unseen.Add(c);
            StreamWatchMetrics.ClusterClaims.Add(1, new KeyValuePair<string, object?>("result", "acquired"));
            await StartAsync(c, ct);
        }
        // held claims without a running camera (the fence reopened on the same lease): start them again
        foreach (var c in cameras.Where(c => claims.GetValueOrDefault(c) == me && !_running.Contains(c) && !step.Release.Contains(c)).ToList())
            await StartAsync(c, ct);
    }

    private async Task StartAsync(string camera, CancellationToken ct)
    {
        try { await host.EndLeftOpenAsync(camera, ct); }
        catch (Exception e) when (e is not OperationCanceledException) { log.LogWarning("cluster: open incidents of camera {Camera} not read ({Error})", camera, e.Message); }
        host.Start(camera);
        _running.Add(camera);
        Volatile.Write(ref _owned, _running.Count);
        log.LogInformation("cluster: node {Node} now watches camera {Camera}", coordinator.Node, camera);
    }

    /// <summary>Stops the cameras together (each flushes), then, when asked, deletes their claims.</summary>
    private async Task StopAsync(IReadOnlyList<string> stopping, bool release, string result)
    {
        if (stopping.Count == 0) return;
        await Task.WhenAll(stopping.Select(host.StopAsync));
        foreach (var camera in stopping.Order(StringComparer.Ordinal))
        {
            _running.Remove(camera);
            _unseen.Remove(camera);
            if (release)
                try { await coordinator.ReleaseAsync(camera, CancellationToken.None); }
                catch (Exception e) { log.LogWarning("cluster: claim of camera {Camera} not released ({Error}); it expires with the lease", camera, e.Message); }
            StreamWatchMetrics.ClusterClaims.Add(1, new KeyValuePair<string, object?>("result", result));
        }
        Volatile.Write(ref _owned, _running.Count);
    }
}
