using StreamWatch.Core.Config;

namespace StreamWatch.Core.Motion;

/// <summary>Optical-flow motion analysis tunables (config section "Motion").</summary>
public sealed class MotionOptions : IValidatable
{
    public const string Section = "Motion";

    /// <summary>Flow grid: one tracked patch per cell.</summary>
    public int GridColumns { get; set; } = 16;
    public int GridRows { get; set; } = 9;
    /// <summary>Pyramid levels (1 = full resolution only); each level halves the size.</summary>
    public int PyramidLevels { get; set; } = 3;
    /// <summary>Side of the square patch tracked per cell, in pixels of each level (multiple of 8).</summary>
    public int PatchSize { get; set; } = 16;
    /// <summary>Lucas–Kanade iterations per pyramid level at most.</summary>
    public int Iterations { get; set; } = 6;
    /// <summary>Iteration stops when the update is shorter than this (pixels).</summary>
    public double ConvergencePixels { get; set; } = 0.02;
    /// <summary>Smallest structure-tensor eigenvalue per pixel (grey levels²) for a patch to be trusted.</summary>
    public double MinTexture { get; set; } = 6;
    /// <summary>Normalised match error (0 = same after gain/offset, 2 = inverted) above which a track is lost.</summary>
    public double MaxMatchError { get; set; } = 0.5;
    /// <summary>Lower bound of each cell's adaptive noise floor (pixels per frame).</summary>
    public double MinNoiseFloor { get; set; } = 0.35;
    /// <summary>EMA rate of the per-cell noise floor while the cell is quiet.</summary>
    public double NoiseFloorRate { get; set; } = 0.05;
    /// <summary>A cell is active when its residual flow exceeds this many noise floors.</summary>
    public double ActiveFactor { get; set; } = 3;
    /// <summary>Dominant motion is removed when at least this share of trusted cells agree on it.</summary>
    public double GlobalAgreement { get; set; } = 0.5;
    /// <summary>Cells within this distance (pixels) of the median flow agree with it.</summary>
    public double GlobalTolerance { get; set; } = 1.0;
    /// <summary>|ln(brightness gain)| above which a frame pair is a lighting change (score suppressed).</summary>
    public double LightingChangeThreshold { get; set; } = 0.15;
    /// <summary>Grey levels (after the frame's brightness gain) a pixel must change by to count as moving in
    /// <see cref="MotionResult.Changed"/>; looked at only around active cells.</summary>
    public double PixelChangeThreshold { get; set; } = 24;

    public void Validate(string path, ConfigErrors errors)
    {
        errors.Range(GridColumns, 1, 64, $"{path}:GridColumns");
        errors.Range(GridRows, 1, 64, $"{path}:GridRows");
        errors.Range(PyramidLevels, 1, 5, $"{path}:PyramidLevels");
        errors.Range(PatchSize, 8, 32, $"{path}:PatchSize");
        if (PatchSize % 8 != 0) errors.Add($"{path}:PatchSize", $"must be a multiple of 8 (got {PatchSize})");
        errors.Range(Iterations, 1, 50, $"{path}:Iterations");
        errors.Range(ConvergencePixels, 0, 1, $"{path}:ConvergencePixels");
        errors.Range(MinTexture, 0, 1e6, $"{path}:MinTexture");
        errors.Range(MaxMatchError, 0.01, 2, $"{path}:MaxMatchError");
        errors.Range(MinNoiseFloor, 0.01, 100, $"{path}:MinNoiseFloor");
        errors.Range(NoiseFloorRate, 0, 1, $"{path}:NoiseFloorRate");
        errors.Range(ActiveFactor, 1, 100, $"{path}:ActiveFactor");
        errors.Range(GlobalAgreement, 0, 1, $"{path}:GlobalAgreement");
        errors.Range(GlobalTolerance, 0, 100, $"{path}:GlobalTolerance");
        errors.Range(LightingChangeThreshold, 0.01, 5, $"{path}:LightingChangeThreshold");
        errors.Range(PixelChangeThreshold, 1, 255, $"{path}:PixelChangeThreshold");
    }
}
