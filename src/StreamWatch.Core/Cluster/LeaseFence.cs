namespace StreamWatch.Core.Cluster;

/// <summary>May this node publish now? Checked by every publication path at send time.</summary>
public interface IPublishFence
{
    bool MayPublish { get; }
}

/// <summary>The fence of a daemon that is not in a cluster: always open.</summary>
public sealed class OpenFence : IPublishFence
{
    public static readonly OpenFence Instance = new();
    public bool MayPublish => true;
}

/// <summary>
/// The lease fence: open until the lease may have expired on the etcd side. Valid until = the
/// monotonic time the keep-alive (or grant) request was SENT + the TTL etcd granted − a margin
/// (a tenth of the TTL, at most 1 s), so it closes no later than etcd can expire the lease, even if
/// the process was paused (SIGSTOP) in between: <see cref="MayPublish"/> reads the clock, no timer
/// has to run.
/// </summary>
public sealed class LeaseFence(TimeProvider time) : IPublishFence
{
    private long _validUntil = long.MinValue; // TimeProvider timestamp; MinValue = no lease

    public bool MayPublish => time.GetTimestamp() < Volatile.Read(ref _validUntil);

    /// <summary>Time left on the lease (zero when closed).</summary>
    public TimeSpan Remaining
    {
        get
        {
            var until = Volatile.Read(ref _validUntil);
            var now = time.GetTimestamp();
            return until == long.MinValue || now >= until ? TimeSpan.Zero : time.GetElapsedTime(now, until);
        }
    }

    public static TimeSpan Margin(TimeSpan ttl) => TimeSpan.FromTicks(Math.Min(ttl.Ticks / 10, TimeSpan.TicksPerSecond));

    /// <summary>etcd granted (or renewed) the lease for <paramref name="ttl"/> on a request sent at <paramref name="sentTimestamp"/>.</summary>
    public void Granted(long sentTimestamp, TimeSpan ttl)
    {
        var until = sentTimestamp + (long)((ttl - Margin(ttl)).TotalSeconds * time.TimestampFrequency);
        long seen;
        do
        {
            seen = Volatile.Read(ref _validUntil);
            if (until <= seen) return; // a late answer to an older request never shortens it
        } while (Interlocked.CompareExchange(ref _validUntil, until, seen) != seen);
    }

    /// <summary>The lease is gone (etcd said so, or a new one replaces it): closed until the next grant.</summary>
    public void Lost() => Volatile.Write(ref _validUntil, long.MinValue);
}
