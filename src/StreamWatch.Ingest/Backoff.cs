namespace StreamWatch.Ingest;

/// <summary>
/// Restart delays for a failing camera: 1 s, doubling to at most 30 s. A run that delivered frames
/// for at least a minute counts as healthy and starts the sequence again at 1 s.
/// </summary>
public sealed class Backoff
{
    public static readonly TimeSpan Initial = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan Max = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan HealthyReset = TimeSpan.FromMinutes(1);

    private int _failures;

    /// <summary>Failures in a row since the last healthy run.</summary>
    public int Failures => _failures;

    /// <summary>The delay before the next start, given how long the run that just ended was healthy.</summary>
    public TimeSpan Next(TimeSpan healthyFor)
    {
        if (healthyFor >= HealthyReset) _failures = 0;
        var delay = _failures >= 5 ? Max : TimeSpan.FromTicks(Math.Min(Max.Ticks, Initial.Ticks << _failures));
        if (_failures < 30) _failures++;
        return delay;
    }
}
