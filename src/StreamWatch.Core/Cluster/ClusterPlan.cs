namespace StreamWatch.Core.Cluster;

/// <summary>What one node does next, from its view of etcd (live nodes and claim keys).</summary>
public sealed record ClusterStep(IReadOnlyList<string> Claim, IReadOnlyList<string> Release);

public static class ClusterPlan
{
    /// <summary>
    /// Claim the cameras assigned to <paramref name="me"/> whose claim key is absent; release those it
    /// holds that are now assigned elsewhere (after stopping them). A camera claimed by another node
    /// is left alone until that key is deleted or expires with its lease.
    /// </summary>
    public static ClusterStep Decide(string me, IEnumerable<string> liveNodes, IReadOnlyList<string> cameras,
        IReadOnlyDictionary<string, string> claims)
    {
        var nodes = liveNodes.Append(me).Distinct(StringComparer.Ordinal).ToList();
        var target = Assignment.Compute(nodes, cameras, claims);
        var claim = cameras.Where(c => target[c] == me && !claims.ContainsKey(c)).Order(StringComparer.Ordinal).ToList();
        var release = cameras.Where(c => claims.TryGetValue(c, out var o) && o == me && target[c] != me).Order(StringComparer.Ordinal).ToList();
        return new ClusterStep(claim, release);
    }
}
