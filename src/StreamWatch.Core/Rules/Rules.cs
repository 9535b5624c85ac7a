using StreamWatch.Core.Config;
using StreamWatch.Core.Motion;

namespace StreamWatch.Core.Rules;

/// <summary><c>motion</c>: any gated motion, whole frame. Hits on every frame the gate is open.</summary>
internal sealed class MotionRule(RuleOptions options, RuleArea area) : IRule
{
    public string Name => options.Name;
    public RuleOptions Options => options;

    public RuleHit? Evaluate(MotionResult motion, bool gateOpen, TimeSpan offset)
    {
        if (!gateOpen) return null;
        return new RuleHit(Name, null, area.Measure(motion).Fraction, null);
    }
}

/// <summary><c>zone</c>: the gate is open and enough active cells, or changed pixels, lie inside the zone.</summary>
internal sealed class ZoneRule(RuleOptions options, RuleArea area) : IRule
{
    public string Name => options.Name;
    public RuleOptions Options => options;

    public RuleHit? Evaluate(MotionResult motion, bool gateOpen, TimeSpan offset)
    {
        if (!gateOpen) return null;
        var m = area.Measure(motion);
        return area.Present(m) ? new RuleHit(Name, area.Zone, m.Fraction, null) : null;
    }
}

/// <summary>
/// <c>loiter</c>: motion has been present in the zone (gate open, enough active cells) for at least
/// Seconds. Absences up to <see cref="MaxGap"/> do not reset the clock; a longer one, or the
/// stream offset going backwards (restart), does. Hits on every frame with motion once due, saying
/// when the loitering began.
/// </summary>
internal sealed class LoiterRule(RuleOptions options, RuleArea area) : IRule
{
    public static readonly TimeSpan MaxGap = TimeSpan.FromSeconds(2);
    private readonly TimeSpan _due = TimeSpan.FromSeconds(options.Seconds);
    private bool _tracking;
    private TimeSpan _since;
    private TimeSpan _lastSeen;

    public string Name => options.Name;
    public RuleOptions Options => options;

    public RuleHit? Evaluate(MotionResult motion, bool gateOpen, TimeSpan offset)
    {
        if (_tracking && (offset < _lastSeen || offset - _lastSeen > MaxGap)) _tracking = false;
        if (!gateOpen) return null;
        var m = area.Measure(motion);
        if (!area.Present(m)) return null;
        if (!_tracking)
        {
            _tracking = true;
            _since = offset;
        }
        _lastSeen = offset;
        return offset - _since >= _due ? new RuleHit(Name, area.Zone, m.Fraction, null, _since) : null;
    }
}

/// <summary>
/// <c>direction</c>: enough of the zone's cells are active (the flow of changed pixels alone has no
/// direction), their mean residual flow points more than ToleranceDegrees away from AllowedDirection
/// (0 = right, 90 = down), and the mean flow is at least <see cref="MinFlow"/> analysis pixels per frame.
/// </summary>
internal sealed class DirectionRule(RuleOptions options, RuleArea area) : IRule
{
    public const float MinFlow = 0.5f;

    public string Name => options.Name;
    public RuleOptions Options => options;

    public RuleHit? Evaluate(MotionResult motion, bool gateOpen, TimeSpan offset)
    {
        if (!gateOpen) return null;
        var m = area.Measure(motion);
        if (m.Active < area.MinActive) return null;
        var meanDx = m.SumDx / m.Active;
        var meanDy = m.SumDy / m.Active;
        if (MathF.Sqrt(meanDx * meanDx + meanDy * meanDy) < MinFlow) return null;
        var angle = Normalise(MathF.Atan2(meanDy, meanDx) * (180f / MathF.PI));
        return Deviation(angle, options.AllowedDirection) > options.ToleranceDegrees
            ? new RuleHit(Name, area.Zone, m.Fraction, angle)
            : null;
    }

    /// <summary>Angle folded into [0, 360).</summary>
    internal static float Normalise(double degrees)
    {
        var a = (float)(degrees % 360);
        if (a < 0) a += 360;
        return a >= 360 ? 0 : a;
    }

    /// <summary>Smallest angle between two directions, 0..180.</summary>
    internal static double Deviation(double a, double b)
    {
        var d = Math.Abs(a - b) % 360;
        return d > 180 ? 360 - d : d;
    }
}
