namespace StreamWatch.Ingest;

/// <summary>
/// "No frame for N seconds" detection on the monotonic clock of a <see cref="TimeProvider"/>.
/// Fed by the reading loop, asked by a timer; both may run on different threads.
/// </summary>
public sealed class StallWatchdog(TimeProvider time, TimeSpan timeout)
{
    private long _lastFeed = time.GetTimestamp();

    public TimeSpan Timeout { get; } = timeout;

    /// <summary>A frame arrived (or the process (re)started).</summary>
    public void Feed() => Interlocked.Exchange(ref _lastFeed, time.GetTimestamp());

    public TimeSpan SilentFor => time.GetElapsedTime(Interlocked.Read(ref _lastFeed));

    public bool IsStalled => SilentFor >= Timeout;

    /// <summary>How often a timer should ask: often enough to react within a quarter of the timeout.</summary>
    public TimeSpan CheckInterval => TimeSpan.FromTicks(Math.Clamp(Timeout.Ticks / 4, TimeSpan.TicksPerMillisecond * 50, TimeSpan.TicksPerSecond));
}
