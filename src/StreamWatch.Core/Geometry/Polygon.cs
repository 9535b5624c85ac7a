using System.Globalization;

namespace StreamWatch.Core.Geometry;

/// <summary>A polygon in normalised image coordinates (0..1, origin top-left).</summary>
public sealed class Polygon
{
    private readonly float[] _x;
    private readonly float[] _y;

    public Polygon(IReadOnlyList<(float X, float Y)> points)
    {
        if (points.Count < 3) throw new FormatException("a polygon needs at least 3 points");
        _x = new float[points.Count];
        _y = new float[points.Count];
        for (var i = 0; i < points.Count; i++)
        {
            var (x, y) = points[i];
            if (!(x >= 0 && x <= 1 && y >= 0 && y <= 1))
                throw new FormatException($"point {i + 1} ({x}, {y}) is outside 0..1");
            _x[i] = x; _y[i] = y;
        }
    }

    public int Count => _x.Length;

    /// <summary>Point <paramref name="i"/>, normalised.</summary>
    public (float X, float Y) this[int i] => (_x[i], _y[i]);

    /// <summary>Parses "x1,y1 x2,y2 x3,y3 …" (normalised coordinates).</summary>
    public static Polygon Parse(string text)
    {
        var pts = new List<(float, float)>();
        foreach (var pair in text.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var xy = pair.Split(',');
            if (xy.Length != 2
                || !float.TryParse(xy[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var x)
                || !float.TryParse(xy[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var y))
                throw new FormatException($"'{pair}' is not an x,y pair");
            pts.Add((x, y));
        }
        return new Polygon(pts);
    }

    /// <summary>Even-odd point-in-polygon test.</summary>
    public bool Contains(float x, float y)
    {
        var inside = false;
        for (int i = 0, j = _x.Length - 1; i < _x.Length; j = i++)
        {
            if ((_y[i] > y) != (_y[j] > y) && x < (_x[j] - _x[i]) * (y - _y[i]) / (_y[j] - _y[i]) + _x[i])
                inside = !inside;
        }
        return inside;
    }

    /// <summary>Rasterises the polygon onto a width×height grid: cell (c, r) is set when its centre is inside.</summary>
    public void Fill(Span<bool> grid, int width, int height, bool value = true)
    {
        for (var r = 0; r < height; r++)
            for (var c = 0; c < width; c++)
                if (Contains((c + 0.5f) / width, (r + 0.5f) / height)) grid[r * width + c] = value;
    }
}
