using StreamWatch.Core.Geometry;
using StreamWatch.Core.Motion;

namespace StreamWatch.Core.Rules;

/// <summary>What moved inside a rule's area on one frame: active grid cells and changed pixels.</summary>
internal readonly record struct AreaMotion(int Active, int Pixels, float Fraction, float SumDx, float SumDy);

/// <summary>
/// The part of the frame a rule looks at (a zone, or the whole frame), fixed at creation: the grid
/// cells whose centre lies inside the zone, and the zone rasterised to the analysis frame's pixels
/// (as row runs into <see cref="MotionResult.Changed"/>).
/// </summary>
internal sealed class RuleArea
{
    private readonly int[] _cells;
    private readonly int[] _runs; // pairs: start index into the pixel mask, length
    private readonly int _gridWidth, _gridHeight, _width, _height, _pixelCount;

    private RuleArea(string? zone, int[] cells, int[] runs, int gridWidth, int gridHeight, int width, int height, double minActiveFraction)
    {
        Zone = zone;
        _cells = cells;
        _runs = runs;
        _gridWidth = gridWidth; _gridHeight = gridHeight;
        _width = width; _height = height;
        for (var i = 1; i < runs.Length; i += 2) _pixelCount += runs[i];
        MinActive = Math.Max(1, (int)Math.Ceiling(minActiveFraction * cells.Length - 1e-9));
        // An eighth of a grid cell's pixels (50 at the default 16×9 grid on 320×180), or the
        // configured share of the zone if that is more.
        var eighthCell = width / gridWidth * (height / gridHeight) / 8;
        MinPixels = Math.Max(Math.Max(1, eighthCell), (int)Math.Ceiling(minActiveFraction * _pixelCount - 1e-9));
    }

    /// <summary>The whole frame: every cell, no pixel test.</summary>
    public static RuleArea WholeFrame(int gridWidth, int gridHeight, int width, int height) =>
        new(null, Enumerable.Range(0, gridWidth * gridHeight).ToArray(), [], gridWidth, gridHeight, width, height, 0);

    /// <summary>A zone; null when its polygon holds no cell centre.</summary>
    public static RuleArea? Of(string zone, Polygon polygon, int gridWidth, int gridHeight, int width, int height, double minActiveFraction)
    {
        var mask = new bool[gridWidth * gridHeight];
        polygon.Fill(mask, gridWidth, gridHeight);
        var cells = Enumerable.Range(0, mask.Length).Where(i => mask[i]).ToArray();
        if (cells.Length == 0) return null;
        var pixels = new bool[width * height];
        polygon.Fill(pixels, width, height);
        var runs = new List<int>();
        for (var y = 0; y < height; y++)
        {
            var start = -1;
            for (var x = 0; x <= width; x++)
            {
                var inside = x < width && pixels[y * width + x];
                if (inside && start < 0) start = x;
                else if (!inside && start >= 0) { runs.Add(y * width + start); runs.Add(x - start); start = -1; }
            }
        }
        return new RuleArea(zone, cells, runs.ToArray(), gridWidth, gridHeight, width, height, minActiveFraction);
    }

    public string? Zone { get; }
    public int CellCount => _cells.Length;
    /// <summary>Active cells that make the area count as "motion present".</summary>
    public int MinActive { get; }
    /// <summary>Changed pixels inside the zone that make it count as "motion present" without an active cell.</summary>
    public int MinPixels { get; }

    public AreaMotion Measure(MotionResult motion)
    {
        if (motion.GridWidth != _gridWidth || motion.GridHeight != _gridHeight || motion.Width != _width || motion.Height != _height)
            throw new InvalidOperationException(
                $"motion grid {motion.GridWidth}x{motion.GridHeight} ({motion.Width}x{motion.Height} px) does not match the rules' " +
                $"{_gridWidth}x{_gridHeight} ({_width}x{_height} px)");
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
        var pixels = 0;
        if (motion.ChangedPixels > 0)
        {
            ReadOnlySpan<byte> changed = motion.Changed;
            for (var i = 0; i < _runs.Length; i += 2) pixels += changed.Slice(_runs[i], _runs[i + 1]).Count((byte)1);
        }
        var fraction = _cells.Length == 0 ? 0 : (float)active / _cells.Length;
        if (_pixelCount > 0) fraction = MathF.Max(fraction, (float)pixels / _pixelCount);
        return new AreaMotion(active, pixels, fraction, dx, dy);
    }

    /// <summary>Enough active cells, or enough changed pixels inside the zone.</summary>
    public bool Present(in AreaMotion m) => m.Active >= MinActive || (_runs.Length > 0 && m.Pixels >= MinPixels);
}
