using StreamWatch.Core.Keyframes;

namespace StreamWatch.Core.Alerts;

public enum AlertPhase { New, Update, End }

/// <summary>
/// One message of an alert's lifecycle. Fields a model fills in (label, confidence, description,
/// model, latency) stay null until a verdict arrives.
/// </summary>
public sealed record Alert
{
    public required string Id { get; init; }
    public required string Camera { get; init; }
    public required string Rule { get; init; }
    public required AlertPhase Phase { get; init; }
    public string? Label { get; init; }
    public string Severity { get; init; } = "info";
    public double? Confidence { get; init; }
    public string? Description { get; init; }
    public required DateTimeOffset Start { get; init; }
    public DateTimeOffset? End { get; init; }
    public required TimeSpan StartOffset { get; init; }
    /// <summary>Stream offset of the message itself (the frame that caused it).</summary>
    public required TimeSpan Offset { get; init; }
    public IReadOnlyList<Keyframe> Keyframes { get; init; } = Array.Empty<Keyframe>();
    public string? Zone { get; init; }
    /// <summary>Highest rule strength so far in the incident (share of the rule's cells active, 0..1).</summary>
    public float? Strength { get; init; }
    public string? Model { get; init; }
    public double? LatencyMs { get; init; }
    /// <summary>When the motion that led to this alert began (wall clock), for end-to-end latency.</summary>
    public DateTimeOffset? MotionOnsetUtc { get; init; }
    /// <summary>A verification rule's alert published without a verdict: the model failed or took too long (fail open).</summary>
    public bool Unverified { get; init; }
    /// <summary>Why an end was sent by someone other than the pipeline (owner-lost); null otherwise.</summary>
    public AlertReason? EndReason { get; init; }
}
