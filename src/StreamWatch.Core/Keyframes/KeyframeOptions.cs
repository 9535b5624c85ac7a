using StreamWatch.Core.Config;

namespace StreamWatch.Core.Keyframes;

/// <summary>
/// Config section "Keyframes": how many frames of a motion event are kept for the model and for
/// snapshots. The image keeps the frame's inference resolution (Cameras:N:InferenceSize).
/// </summary>
public sealed class KeyframeOptions : IValidatable
{
    public const string Section = "Keyframes";

    /// <summary>Keyframes per second while motion is strong (window peak ≥ StrongScore), at an event's onset.</summary>
    public double StrongFps { get; set; } = 2.5;
    /// <summary>Keyframes per second while motion is weak, at an event's onset.</summary>
    public double WeakFps { get; set; } = 0.5;
    /// <summary>Motion score (MotionResult.Score) from which a window counts as strong motion.</summary>
    public double StrongScore { get; set; } = 3;
    /// <summary>
    /// After an event's first window, a window lasts at least this many times the event's age at its
    /// start, so keyframe ages grow about (1 + SpacingGrowth)-fold; 0 keeps the steady onset rate.
    /// </summary>
    public double SpacingGrowth { get; set; } = 3;
    /// <summary>A gate opening at most this long after the gate closed continues that event (no new pre-roll, same budget).</summary>
    public double MergeGapSeconds { get; set; } = 5;
    /// <summary>At most this many keyframes per event (pre-roll included).</summary>
    public int MaxPerEvent { get; set; } = 6;
    /// <summary>At most this many keyframes go into one model request.</summary>
    public int MaxPerRequest { get; set; } = 4;
    /// <summary>Emit the last frame before the gate opened as a pre-roll keyframe.</summary>
    public bool PreRoll { get; set; } = true;

    public TimeSpan StrongWindow => TimeSpan.FromSeconds(1 / StrongFps);
    public TimeSpan WeakWindow => TimeSpan.FromSeconds(1 / WeakFps);

    public void Validate(string path, ConfigErrors errors)
    {
        errors.Range(StrongFps, 0.05, 30, $"{path}:StrongFps");
        errors.Range(WeakFps, 0.05, 30, $"{path}:WeakFps");
        if (WeakFps > StrongFps) errors.Add($"{path}:WeakFps", $"must not exceed StrongFps ({StrongFps}) (got {WeakFps})");
        errors.Range(StrongScore, 0, 1e6, $"{path}:StrongScore");
        errors.Range(SpacingGrowth, 0, 100, $"{path}:SpacingGrowth");
        errors.Range(MergeGapSeconds, 0, 3600, $"{path}:MergeGapSeconds");
        errors.Range(MaxPerEvent, 1, 1000, $"{path}:MaxPerEvent");
        errors.Range(MaxPerRequest, 1, 64, $"{path}:MaxPerRequest");
    }
}
