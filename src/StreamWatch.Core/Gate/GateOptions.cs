using StreamWatch.Core.Config;

namespace StreamWatch.Core.Gate;

/// <summary>Motion gate hysteresis (config section "Gate"). Scores are <see cref="Motion.MotionResult.Score"/>.</summary>
public sealed class GateOptions : IValidatable
{
    public const string Section = "Gate";

    /// <summary>A frame counts towards opening when its score reaches this.</summary>
    public double OpenThreshold { get; set; } = 2.0;
    /// <summary>Consecutive frames at or above <see cref="OpenThreshold"/> needed to open.</summary>
    public int OpenFrames { get; set; } = 2;
    /// <summary>While open, a frame at or above this keeps the gate open (lower than OpenThreshold).</summary>
    public double CloseThreshold { get; set; } = 1.0;
    /// <summary>Stream time below <see cref="CloseThreshold"/> after which the gate closes.</summary>
    public double QuietSeconds { get; set; } = 2.0;

    public void Validate(string path, ConfigErrors errors)
    {
        errors.Range(OpenThreshold, 0.001, 1e6, $"{path}:OpenThreshold");
        errors.Range(OpenFrames, 1, 100, $"{path}:OpenFrames");
        errors.Range(CloseThreshold, 0, 1e6, $"{path}:CloseThreshold");
        if (CloseThreshold > OpenThreshold)
            errors.Add($"{path}:CloseThreshold", $"must not exceed OpenThreshold ({OpenThreshold}, got {CloseThreshold})");
        errors.Range(QuietSeconds, 0, 3600, $"{path}:QuietSeconds");
    }
}
