namespace StreamWatch.Ingest;

/// <summary>
/// Restart delays for a camera whose stream ended — pure, no I/O. While an outage is young (the camera
/// has been without frames for less than <see cref="LongOutage"/>) retries stay fast: 0.5 s, 1 s, 2 s,
/// then every <see cref="Cap"/>, so a camera resumes within 5 s of its server's return (cap + ffmpeg's
/// RTSP connect and first frame, measured 1.2–1.4 s). A camera dark for longer is tried every
/// <see cref="Max"/>, so a dead one does not spawn ffmpeg every few seconds forever. Any run that
/// delivered frames starts the sequence again (a server that flaps every few seconds keeps the fast
/// path). Each delay is jittered by ±<see cref="Jitter"/> so cameras of one recovering recorder do not
/// all reconnect in the same instant.
/// </summary>
/// <param name="random">Uniform in [0, 1): the jitter source (default <see cref="Random.Shared"/>).</param>
public sealed class Backoff(Func<double>? random = null)
{
    private static readonly TimeSpan[] Steps = [TimeSpan.FromSeconds(0.5), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2)];
    public static readonly TimeSpan Cap = TimeSpan.FromSeconds(2.5);
    public static readonly TimeSpan LongOutage = TimeSpan.FromMinutes(5);
    public static readonly TimeSpan Max = TimeSpan.FromSeconds(30);
    public const double Jitter = 0.1;

    private readonly Func<double> _random = random ?? Random.Shared.NextDouble;
    private int _failures;

    /// <summary>Failures in a row since the last run that delivered frames (counted up to the cap).</summary>
    public int Failures => _failures;

    /// <summary>The delay before the next start.</summary>
    /// <param name="healthyFor">How long the run that just ended delivered frames (zero: none).</param>
    /// <param name="darkFor">How long the camera has been without frames (since the last run with frames ended,
    /// or since the camera started if it never had any).</param>
    public TimeSpan Next(TimeSpan healthyFor, TimeSpan darkFor)
    {
        if (healthyFor > TimeSpan.Zero) _failures = 0;
        var nominal = darkFor >= LongOutage ? Max : _failures < Steps.Length ? Steps[_failures] : Cap;
        if (_failures < Steps.Length) _failures++;
        return nominal * (1 + Jitter * (2 * _random() - 1));
    }
}
