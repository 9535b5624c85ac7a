using StreamWatch.Core.Cluster;

namespace StreamWatch.Cluster;

/// <summary>What a node sees of the cluster: live node ids and the claim keys (camera → owner).</summary>
public sealed record ClusterView(IReadOnlyList<string> Nodes, IReadOnlyDictionary<string, string> Claims);

/// <summary>
/// The coordination service as the daemon needs it (etcd in production, see Etcd/EtcdCoordinator;
/// a test can supply its own): a lease with a fence, the live view, claim and release.
/// </summary>
public interface ICoordinator : IAsyncDisposable
{
    string Node { get; }
    /// <summary>Open while this node's lease is certainly still valid on the coordinator's side.</summary>
    LeaseFence Fence { get; }
    ClusterView View { get; }
    /// <summary>True when the coordinator said the lease is gone: <see cref="RenewLeaseAsync"/> gets a new one.</summary>
    bool LeaseLost { get; }
    /// <summary>The coordinator answered the last request (for /readyz).</summary>
    bool Reachable { get; }
    /// <summary>Completes at the next change of the view or of the lease (or when <paramref name="ct"/> ends).</summary>
    Task WaitChangeAsync(TimeSpan timeout, CancellationToken ct);
    /// <summary>Grants the lease, writes the node key, starts keep-alive and watch. Throws <see cref="StreamWatch.Core.Config.UnavailableException"/>.</summary>
    Task StartAsync(CancellationToken ct);
    /// <summary>After the lease was lost (and every camera stopped): a new lease and node key.</summary>
    Task RenewLeaseAsync(CancellationToken ct);
    /// <summary>Creates the camera's claim key under the lease if absent; true when this node holds it.</summary>
    Task<bool> TryClaimAsync(string camera, CancellationToken ct);
    /// <summary>Deletes the camera's claim key if this node holds it.</summary>
    Task ReleaseAsync(string camera, CancellationToken ct);
    /// <summary>Graceful stop: revokes the lease, so its keys go at once.</summary>
    Task LeaveAsync(CancellationToken ct);
}
