using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using StreamWatch.Core.Geometry;

namespace StreamWatch.Core.Motion;

/// <summary>
/// Grid optical flow between consecutive grey analysis frames: one pyramidal Lucas–Kanade patch per
/// cell (gain/offset normalised), dominant (camera) motion removed by a robust median, residuals
/// compared with a per-cell adaptive noise floor. Allocation-free per frame after construction.
/// </summary>
public sealed class MotionAnalyzer
{
    private readonly MotionOptions _o;
    private readonly int _width, _height, _cells;
    private readonly bool[] _masked, _trusted, _lost, _near;
    private readonly float[] _dx, _dy, _floor, _sortX, _sortY;
    private readonly PatchTracker _tracker;
    private readonly MotionResult _result;
    private Pyramid _prev, _cur;
    private bool _hasPrev;
    private bool _maskDirty;

    public MotionAnalyzer(MotionOptions options, int width, int height, IReadOnlyList<Polygon> masks)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(masks);
        var errors = new Config.ConfigErrors();
        options.Validate(MotionOptions.Section, errors);
        if (errors.Any) throw new Config.ConfigException(errors.Errors);
        var minSide = options.PatchSize + 3;
        if (width < minSide || height < minSide)
            throw new ArgumentException($"analysis frame {width}x{height} is smaller than one patch ({minSide} px)");
        _o = options;
        _width = width; _height = height;
        int cols = options.GridColumns, rows = options.GridRows;
        _cells = cols * rows;
        _result = new MotionResult(cols, rows, width, height);
        _masked = new bool[_cells];
        foreach (var m in masks) m.Fill(_masked, cols, rows);
        _trusted = new bool[_cells]; _lost = new bool[_cells]; _near = new bool[_cells];
        _dx = new float[_cells]; _dy = new float[_cells];
        _floor = new float[_cells];
        _sortX = new float[_cells]; _sortY = new float[_cells];
        var levels = options.PyramidLevels;
        while (levels > 1 && (Math.Min(width, height) >> (levels - 1)) < minSide) levels--;
        _prev = new Pyramid(levels, width, height);
        _cur = new Pyramid(levels, width, height);
        _tracker = new PatchTracker(options.PatchSize, options.Iterations, (float)options.ConvergencePixels, (float)options.MinTexture);
        Reset();
    }

    public int Width => _width;
    public int Height => _height;

    /// <summary>Forgets the previous frame and the noise floors (after a stream restart).</summary>
    public void Reset()
    {
        _hasPrev = false;
        Array.Clear(_trusted); Array.Clear(_lost);
        Array.Fill(_floor, (float)_o.MinNoiseFloor);
        Publish(0, 0, 1, false);
    }

    /// <summary>Analyses one grey frame (width×height bytes) against the previous one; the first frame scores 0.</summary>
    public MotionResult Analyze(ReadOnlySpan<byte> grey)
    {
        if (grey.Length < _width * _height)
            throw new ArgumentException($"grey plane holds {grey.Length} bytes, {_width}x{_height} needs {_width * _height}", nameof(grey));
        _cur.Build(grey);
        if (!_hasPrev)
        {
            _hasPrev = true;
            Array.Clear(_trusted); Array.Clear(_lost);
            Swap();
            Publish(0, 0, 1, false);
            return _result;
        }
        var gain = BrightnessGain();
        var lighting = MathF.Abs(MathF.Log(gain)) > _o.LightingChangeThreshold;
        TrackCells();
        var (gx, gy) = DominantMotion();
        Swap();
        Publish(gx, gy, gain, lighting);
        return _result;
    }

    private void Swap() => (_prev, _cur) = (_cur, _prev);

    private void TrackCells()
    {
        int cols = _o.GridColumns, rows = _o.GridRows;
        float cw = (float)_width / cols, ch = (float)_height / rows;
        float minTexture = (float)_o.MinTexture, maxError = (float)_o.MaxMatchError;
        for (var c = 0; c < _cells; c++)
        {
            _trusted[c] = false; _lost[c] = false; _dx[c] = 0; _dy[c] = 0;
            if (_masked[c]) continue;
            float cx = (c % cols + 0.5f) * cw - 0.5f, cy = (c / cols + 0.5f) * ch - 0.5f;
            _tracker.Track(_prev, _cur, cx, cy, out var dx, out var dy, out var texture, out var error);
            if (texture < minTexture) continue;
            if (error > maxError || !float.IsFinite(dx) || !float.IsFinite(dy)) { _lost[c] = true; continue; }
            _trusted[c] = true; _dx[c] = dx; _dy[c] = dy;
        }
    }

    /// <summary>Median flow of trusted cells when enough of them agree with it, else none.</summary>
    private (float, float) DominantMotion()
    {
        var n = 0;
        for (var c = 0; c < _cells; c++)
            if (_trusted[c]) { _sortX[n] = _dx[c]; _sortY[n] = _dy[c]; n++; }
        if (n == 0) return (0, 0);
        var mx = Median(_sortX.AsSpan(0, n));
        var my = Median(_sortY.AsSpan(0, n));
        var tol2 = (float)(_o.GlobalTolerance * _o.GlobalTolerance);
        var agree = 0;
        for (var c = 0; c < _cells; c++)
        {
            if (!_trusted[c]) continue;
            float ex = _dx[c] - mx, ey = _dy[c] - my;
            if (ex * ex + ey * ey <= tol2) agree++;
        }
        return agree >= _o.GlobalAgreement * n ? (mx, my) : (0, 0);
    }

    private static float Median(Span<float> v)
    {
        v.Sort();
        var m = v.Length / 2;
        return v.Length % 2 == 1 ? v[m] : 0.5f * (v[m - 1] + v[m]);
    }

    /// <summary>Median over unmasked cells of the current/previous mean brightness ratio (coarsest level).</summary>
    private float BrightnessGain()
    {
        int l = _cur.Levels - 1, w = _cur.Width[l], h = _cur.Height[l];
        int cols = _o.GridColumns, rows = _o.GridRows;
        float[] a = _prev.Data[l], b = _cur.Data[l];
        var n = 0;
        for (var c = 0; c < _cells; c++)
        {
            if (_masked[c]) continue;
            int x0 = c % cols * w / cols, x1 = Math.Max(x0 + 1, (c % cols + 1) * w / cols);
            int y0 = c / cols * h / rows, y1 = Math.Max(y0 + 1, (c / cols + 1) * h / rows);
            float sa = 0, sb = 0;
            for (var y = y0; y < y1; y++)
                for (var x = x0; x < x1; x++) { sa += a[y * w + x]; sb += b[y * w + x]; }
            var area = (x1 - x0) * (y1 - y0);
            _sortX[n++] = (sb / area + 1f) / (sa / area + 1f);
        }
        return n == 0 ? 1f : Median(_sortX.AsSpan(0, n));
    }

    private void Publish(float gx, float gy, float gain, bool lighting)
    {
        int cols = _o.GridColumns, rows = _o.GridRows;
        float minFloor = (float)_o.MinNoiseFloor, rate = (float)_o.NoiseFloorRate, factor = (float)_o.ActiveFactor;
        float score = 0;
        var active = 0;
        for (var c = 0; c < _cells; c++)
        {
            float rx = 0, ry = 0, mag = 0;
            var on = false;
            if (_trusted[c])
            {
                rx = _dx[c] - gx; ry = _dy[c] - gy;
                var r = MathF.Sqrt(rx * rx + ry * ry);
                mag = r / _floor[c];
                on = !lighting && mag > factor;
                if (!on && !lighting) _floor[c] = Math.Max(minFloor, _floor[c] + rate * (r - _floor[c]));
                if (on) { active++; score += r; }
            }
            else if (_lost[c] && !lighting)
            {
                // Textured patch whose content changed beyond translation + gain: an object moving
                // too fast or occluding. Active with unknown direction, scored as a threshold residual.
                on = true; mag = factor;
                active++; score += factor * _floor[c];
            }
            _result.Cells[c] = new FlowCell((c % cols + 0.5f) / cols, (c / cols + 0.5f) / rows, rx, ry, mag, on);
        }
        _result.Score = score;
        _result.ActiveCells = active;
        _result.GlobalDx = gx; _result.GlobalDy = gy;
        _result.BrightnessGain = gain;
        _result.LightingChange = lighting;
        MarkChangedPixels(gain, active > 0 && !lighting);
    }

    /// <summary>
    /// Fills <see cref="MotionResult.Changed"/>: per pixel, |current − gain × previous| above the
    /// threshold, in unmasked cells that are active or 8-adjacent to an active cell (runs of such
    /// cells along a grid row are done as one span). Called after the swap, so _prev holds the
    /// current frame and _cur the previous one.
    /// </summary>
    private void MarkChangedPixels(float gain, bool any)
    {
        var mask = _result.Changed;
        if (_maskDirty) { Array.Clear(mask); _maskDirty = false; }
        _result.ChangedPixels = 0;
        if (!any) return;
        int cols = _o.GridColumns, rows = _o.GridRows, w = _width;
        var cells = _result.Cells;
        for (var c = 0; c < _cells; c++)
        {
            _near[c] = false;
            if (_masked[c]) continue;
            int col = c % cols, row = c / cols;
            for (var r = Math.Max(0, row - 1); r <= Math.Min(rows - 1, row + 1) && !_near[c]; r++)
                for (var k = Math.Max(0, col - 1); k <= Math.Min(cols - 1, col + 1); k++)
                    if (cells[r * cols + k].Active) { _near[c] = true; break; }
        }
        float[] now = _prev.Data[0], before = _cur.Data[0];
        var threshold = (float)_o.PixelChangeThreshold;
        var n = 0;
        for (var row = 0; row < rows; row++)
        {
            int y0 = row * _height / rows, y1 = (row + 1) * _height / rows;
            for (var col = 0; col < cols;)
            {
                if (!_near[row * cols + col]) { col++; continue; }
                var first = col;
                while (col < cols && _near[row * cols + col]) col++;
                int x0 = first * w / cols, x1 = col * w / cols;
                for (var y = y0; y < y1; y++) n += MarkSpan(now, before, mask, y * w + x0, x1 - x0, gain, threshold);
            }
        }
        _result.ChangedPixels = n;
        _maskDirty = n > 0;
    }

    /// <summary>Byte k of entry b is 1 when bit k of b is set: 8 compare bits → 8 mask bytes.</summary>
    private static readonly ulong[] BitsToBytes = Enumerable.Range(0, 256)
        .Select(b => Enumerable.Range(0, 8).Aggregate(0UL, (v, k) => v | ((ulong)((b >> k) & 1) << (8 * k)))).ToArray();

    /// <summary>Marks the changed pixels of one span (mask zeroed before); returns how many.</summary>
    private static int MarkSpan(float[] now, float[] before, byte[] mask, int at, int length, float gain, float threshold)
    {
        int i = 0, n = 0;
        var offset = 1f - gain; // now + 1 − gain·(before + 1)
        if (Vector256.IsHardwareAccelerated)
        {
            ref var a = ref MemoryMarshal.GetArrayDataReference(now);
            ref var b = ref MemoryMarshal.GetArrayDataReference(before);
            ref var m = ref MemoryMarshal.GetArrayDataReference(mask);
            Vector256<float> g = Vector256.Create(gain), o = Vector256.Create(offset), t = Vector256.Create(threshold);
            for (; i <= length - 8; i += 8)
            {
                var p = (nuint)(at + i);
                var d = Vector256.Abs(Vector256.LoadUnsafe(ref a, p) + o - g * Vector256.LoadUnsafe(ref b, p));
                var bits = Vector256.GreaterThan(d, t).ExtractMostSignificantBits();
                if (bits == 0) continue;
                Unsafe.WriteUnaligned(ref Unsafe.Add(ref m, p), BitsToBytes[bits]);
                n += BitOperations.PopCount(bits);
            }
        }
        for (; i < length; i++)
            if (MathF.Abs(now[at + i] + offset - gain * before[at + i]) > threshold) { mask[at + i] = 1; n++; }
        return n;
    }
}
