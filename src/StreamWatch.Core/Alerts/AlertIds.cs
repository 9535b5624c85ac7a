namespace StreamWatch.Core.Alerts;

/// <summary>
/// The one alert id format, for the daemon and <c>streamwatch replay</c> alike:
/// <c>{camera}-{rule}-{start, UTC, yyyyMMddTHHmmssZ}-{n}</c>, n counting this camera's alerts from 1
/// (e.g. <c>front-door-20261122T101503Z-1</c>). The start time keeps ids unique across daemon
/// restarts; replay has no wall clock, so its stream starts at 1970-01-01T00:00:00Z.
/// Owned by one camera loop (not thread-safe).
/// </summary>
public sealed class AlertIds(string camera)
{
    private long _n;

    public string Next(string rule, DateTimeOffset startUtc) =>
        $"{camera}-{rule}-{startUtc.UtcDateTime:yyyyMMdd'T'HHmmss'Z'}-{++_n}";
}
