using StreamWatch.Core.Motion;

namespace StreamWatch.Core.Rules;

/// <summary>What moved inside a rule's area on one frame.</summary>
internal readonly record struct AreaMotion(int Active, float Fraction, float SumDx, float SumDy);

/// <summary>The grid cells a rule looks at (a rasterised zone, or the whole frame), fixed at creation.</summary>
internal sealed class RuleArea
{
    private readonly int[] _cells;
    private readonly int _gridWidth;
    private readonly int _gridHeight;

    public RuleArea(string? zone, int[] cells, int gridWidth, int gridHeight, double minActiveFraction)
    {
        Zone = zone;
        _cells = cells;
        _gridWidth = gridWidth;
        _gridHeight = gridHeight;
        MinActive = Math.Max(1, (int)Math.Ceiling(minActiveFraction * cells.Length - 1e-9));
    }

    public string? Zone { get; }
    public int CellCount => _cells.Length;
    /// <summary>Active cells needed for the area to count as "motion present".</summary>
    public int MinActive { get; }

    public AreaMotion Measure(MotionResult motion)
    {
        if (motion.GridWidth != _gridWidth || motion.GridHeight != _gridHeight)
            throw new InvalidOperationException(
                $"motion grid {motion.GridWidth}x{motion.GridHeight} does not match the rules' grid {_gridWidth}x{_gridHeight}");
        var cells = motion.Cells;
        int active = 0;
        float dx = 0, dy = 0;
        foreach (var i in _cells)
        {
            ref readonly var c = ref cells[i];
            if (!c.Active) continue;
            active++;
            dx += c.Dx;
            dy += c.Dy;
        }
        return new AreaMotion(active, _cells.Length == 0 ? 0 : (float)active / _cells.Length, dx, dy);
    }

    public bool Present(in AreaMotion m) => m.Active >= MinActive;
}
