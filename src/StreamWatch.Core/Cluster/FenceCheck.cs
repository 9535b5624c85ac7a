using StreamWatch.Core.Telemetry;

namespace StreamWatch.Core.Cluster;

public static class FenceCheck
{
    /// <summary>
    /// A sink's check at write time: true while the fence is closed (the sink skips the event), and
    /// then, when the sink would have written it (<paramref name="writes"/>), one publication held
    /// back is counted in streamwatch_cluster_fenced_total.
    /// </summary>
    public static bool HoldsBack(this IPublishFence fence, bool writes = true)
    {
        if (fence.MayPublish) return false;
        if (writes) StreamWatchMetrics.ClusterFenced.Add(1);
        return true;
    }
}
