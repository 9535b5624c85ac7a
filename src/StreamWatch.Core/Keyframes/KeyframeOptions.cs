using StreamWatch.Core.Config;

namespace StreamWatch.Core.Keyframes;

/// <summary>
/// Config section "Keyframes": how many frames of a motion event are kept for the model and for
/// snapshots. The image keeps the frame's inference resolution (Cameras:N:InferenceSize).
/// </summary>
public sealed class KeyframeOptions : IValidatable
{
    public const string Section = "Keyframes";

    /// <summary>Keyframes per second while motion is strong (window peak ≥ StrongScore).</summary>
    public double StrongFps { get; set; } = 2.5;
    /// <summary>Keyframes per second while motion is weak.</summary>
    public double WeakFps { get; set; } = 0.5;
    /// <summary>Motion score (MotionResult.Score) from which a window counts as strong motion.</summary>
    public double StrongScore { get; set; } = 3;
    /// <summary>At most this many keyframes per gate opening (pre-roll included).</summary>
    public int MaxPerEvent { get; set; } = 12;
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
        errors.Range(MaxPerEvent, 1, 1000, $"{path}:MaxPerEvent");
        errors.Range(MaxPerRequest, 1, 64, $"{path}:MaxPerRequest");
    }
}
