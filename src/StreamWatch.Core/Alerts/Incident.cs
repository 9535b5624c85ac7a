using StreamWatch.Core.Config;
using StreamWatch.Core.Keyframes;
using StreamWatch.Core.Verdicts;

namespace StreamWatch.Core.Alerts;

/// <summary>The mutable state behind one alert while it is open (owned by <see cref="AlertTracker"/>).</summary>
internal sealed class Incident(string id, RuleOptions rule, string? zone, DateTimeOffset startUtc, TimeSpan startOffset)
{
    private readonly List<Keyframe> _keyframes = new();

    public string Id { get; } = id;
    public RuleOptions Rule { get; } = rule;
    public string? Zone { get; set; } = zone;
    public DateTimeOffset StartUtc { get; } = startUtc;
    public TimeSpan StartOffset { get; } = startOffset;
    public TimeSpan LastHitOffset { get; set; } = startOffset;
    public DateTimeOffset LastHitUtc { get; set; } = startUtc;
    public float PeakStrength { get; set; }
    public float ReportedStrength { get; set; }
    /// <summary>Keyframes were attached since the last message.</summary>
    public bool KeyframesChanged { get; set; }
    public bool Published { get; set; }
    /// <summary>The last message went out with no keyframe (no snapshot).</summary>
    public bool SentWithoutKeyframes { get; set; }
    public bool JustOpened { get; set; } = true;
    public TimeSpan LastMessageOffset { get; set; }
    public Verdict? Verdict { get; set; }
    /// <summary>A verdict request for it failed (the model gave up on it) and no verdict came since.</summary>
    public bool VerdictFailed { get; set; }
    /// <summary>Published with no verdict (see <see cref="Alert.Unverified"/>).</summary>
    public bool Unverified { get; set; }
    /// <summary>When its end was detected (stream time); set once it is no longer open.</summary>
    public TimeSpan EndedOffset { get; set; }
    public IReadOnlyList<Keyframe> Keyframes => _keyframes;

    /// <summary>Attaches a keyframe unless <paramref name="max"/> are already attached (the first ones are kept).</summary>
    public void Attach(Keyframe keyframe, int max)
    {
        if (_keyframes.Count >= max) return;
        _keyframes.Add(keyframe);
        KeyframesChanged = true;
    }

    /// <summary>An immutable message for sinks; keyframes are copied so later attachments do not change it.</summary>
    public Alert ToAlert(string camera, AlertPhase phase, TimeSpan offset)
    {
        var keyframes = _keyframes.ToArray();
        DateTimeOffset? onset = keyframes.Length == 0 ? null : keyframes.Min(k => k.CapturedUtc).ToUniversalTime();
        return new Alert
        {
            Id = Id,
            Camera = camera,
            Rule = Rule.Name,
            Phase = phase,
            Label = Verdict?.Label,
            Severity = string.IsNullOrEmpty(Verdict?.Severity) ? Rule.Severity.ToString().ToLowerInvariant() : Verdict.Severity,
            Confidence = Verdict?.Confidence,
            Description = Verdict?.Description,
            Start = StartUtc,
            End = phase == AlertPhase.End ? LastHitUtc : null,
            StartOffset = StartOffset,
            Offset = offset,
            Keyframes = keyframes,
            Zone = Zone,
            Strength = PeakStrength,
            Model = Verdict?.Model,
            LatencyMs = Verdict?.LatencyMs,
            MotionOnsetUtc = onset,
            Unverified = Unverified,
        };
    }
}
