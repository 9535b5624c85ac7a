using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace StreamWatch.Core.Motion;

/// <summary>
/// Pyramidal Lucas–Kanade for one square patch (side a multiple of 8, Vector256 rows), with
/// per-patch gain and offset normalisation so brightness changes do not read as motion.
/// Scratch buffers are reused; no allocation.
/// </summary>
internal sealed class PatchTracker
{
    private readonly int _n, _iterations;
    private readonly float _eps, _minTexture;
    private readonly float[] _t, _gx, _gy, _s;
    // Per-template sums that let one pass over the warped patch give the whole LK update.
    private float _sgx, _sgy, _sgxt, _sgyt;

    /// <param name="minTexture">Patches with less texture are not tracked (reported with their texture only).</param>
    public PatchTracker(int size, int iterations, float convergence, float minTexture = 0)
    {
        _minTexture = minTexture;
        if (size % 8 != 0) throw new ArgumentException("patch size must be a multiple of 8", nameof(size));
        _n = size;
        _iterations = iterations;
        _eps = convergence;
        _t = new float[size * size]; _gx = new float[size * size]; _gy = new float[size * size]; _s = new float[size * size];
    }

    /// <summary>Smallest frame side a level needs to hold one patch with its gradient border.</summary>
    public int MinSide => _n + 3;

    private const float QuickError = 0.1f, QuickStep = 0.5f;

    /// <summary>Tracks the patch around (cx, cy) (level-0 pixels) from prev into cur.</summary>
    /// <param name="texture">Smallest structure-tensor eigenvalue per pixel at level 0; 0 when the patch left the frame.</param>
    /// <param name="error">Normalised match error at level 0 (0 = perfect, 2 = uncorrelated).</param>
    public void Track(Pyramid prev, Pyramid cur, float cx, float cy,
        out float dx, out float dy, out float texture, out float error)
    {
        dx = 0; dy = 0;
        // Static first: most cells of most frames do not move, and full resolution alone settles them.
        if (!Level(prev, cur, 0, cx, cy, ref dx, ref dy, out texture, out error, quick: true))
        {
            if (texture < _minTexture) { dx = 0; dy = 0; error = 0; return; }
            dx = 0; dy = 0;
            for (var l = prev.Levels - 1; l >= 0; l--)
            {
                Level(prev, cur, l, cx, cy, ref dx, ref dy, out texture, out error, quick: false);
                if (l > 0) { dx *= 2; dy *= 2; }
            }
        }
        int ox = OriginOf(cx, prev.Width[0]), oy = OriginOf(cy, prev.Height[0]);
        if (ox + dx < 0 || oy + dy < 0 || ox + dx + _n >= prev.Width[0] || oy + dy + _n >= prev.Height[0])
            texture = 0; // moved (partly) out of view: not measurable
    }

    private int OriginOf(float c, int size) => Math.Clamp((int)MathF.Round(c), _n / 2 + 1, size - _n / 2 - 2) - _n / 2;

    /// <summary>
    /// Lucas–Kanade iterations at one level, refining (dx, dy) given in that level's pixels.
    /// Quick mode gives up (returns false) unless the first step already shows a near-static match.
    /// </summary>
    private bool Level(Pyramid prev, Pyramid cur, int l, float cx, float cy,
        ref float dx, ref float dy, out float texture, out float error, bool quick)
    {
        texture = 0; error = 0;
        int w = prev.Width[l], h = prev.Height[l];
        if (w < MinSide || h < MinSide) return !quick;
        var scale = 1f / (1 << l);
        int ox = OriginOf(cx * scale, w), oy = OriginOf(cy * scale, h);
        var (gxx, gxy, gyy, varT) = Template(prev.Data[l], w, ox, oy);
        var det = gxx * gyy - gxy * gxy;
        var tr = 0.5f * (gxx + gyy);
        texture = (tr - MathF.Sqrt(MathF.Max(0, tr * tr - det))) / (_n * _n);
        if (!(det > 1e-3f * (gxx + gyy) * (gxx + gyy) && varT > 1e-3f)) return !quick;
        var eps2 = _eps * _eps * (1 << (2 * l));
        for (var it = 0; it < _iterations; it++)
        {
            var (bx, by, err) = Mismatch(cur.Data[l], w, h, ox + dx, oy + dy, varT);
            var ux = (gyy * bx - gxy * by) / det;
            var uy = (gxx * by - gxy * bx) / det;
            if (quick && it == 0 && (err > QuickError || ux * ux + uy * uy > QuickStep * QuickStep)) return false;
            dx += ux; dy += uy;
            error = err;
            if (ux * ux + uy * uy < eps2) break;
        }
        return true;
    }

    /// <summary>Template values (mean removed) and central-difference gradients; returns the structure tensor and Σ(T−mean)².</summary>
    private (float gxx, float gxy, float gyy, float varT) Template(float[] img, int w, int ox, int oy)
    {
        ref var im = ref MemoryMarshal.GetArrayDataReference(img);
        ref var t = ref MemoryMarshal.GetArrayDataReference(_t);
        ref var gxr = ref MemoryMarshal.GetArrayDataReference(_gx);
        ref var gyr = ref MemoryMarshal.GetArrayDataReference(_gy);
        Vector256<float> sxx = default, sxy = default, syy = default, sum = default, sum2 = default, half = Vector256.Create(0.5f);
        Vector256<float> sgx = default, sgy = default, gxv = default, gyv = default;
        var k = 0;
        for (var j = 0; j < _n; j++)
        {
            var row = (oy + j) * w + ox;
            for (var i = 0; i < _n; i += 8, k += 8)
            {
                var p = (nuint)(row + i);
                var v = Vector256.LoadUnsafe(ref im, p);
                var gx = (Vector256.LoadUnsafe(ref im, p + 1) - Vector256.LoadUnsafe(ref im, p - 1)) * half;
                var gy = (Vector256.LoadUnsafe(ref im, p + (nuint)w) - Vector256.LoadUnsafe(ref im, p - (nuint)w)) * half;
                v.StoreUnsafe(ref t, (nuint)k); gx.StoreUnsafe(ref gxr, (nuint)k); gy.StoreUnsafe(ref gyr, (nuint)k);
                sxx += gx * gx; sxy += gx * gy; syy += gy * gy; sum += v; sum2 += v * v;
                sgx += gx; sgy += gy; gxv += gx * v; gyv += gy * v;
            }
        }
        float s = Vector256.Sum(sum), mean = s / k;
        var m = Vector256.Create(mean);
        for (var i = 0; i < k; i += 8) (Vector256.LoadUnsafe(ref t, (nuint)i) - m).StoreUnsafe(ref t, (nuint)i);
        _sgx = Vector256.Sum(sgx); _sgy = Vector256.Sum(sgy);
        _sgxt = Vector256.Sum(gxv) - mean * _sgx; _sgyt = Vector256.Sum(gyv) - mean * _sgy;
        return (Vector256.Sum(sxx), Vector256.Sum(sxy), Vector256.Sum(syy), Vector256.Sum(sum2) - s * mean);
    }

    /// <summary>
    /// Samples cur bilinearly at the patch moved to (px, py), normalises its gain and offset to the
    /// template and returns Σ∇T·e and the normalised squared error, in one pass:
    /// with e = t − g(s − μ) and Σt = 0, Σ∇T·e = Σ∇T·t − g(Σ∇T·s − μΣ∇T) and Σe² = varT − 2gΣt·s + g²varI.
    /// </summary>
    private (float bx, float by, float err) Mismatch(float[] img, int w, int h, float px, float py, float varT)
    {
        var x0 = (int)MathF.Floor(px); var y0 = (int)MathF.Floor(py);
        float fx = px - x0, fy = py - y0;
        var n = _n;
        ref var t = ref MemoryMarshal.GetArrayDataReference(_t);
        ref var gxr = ref MemoryMarshal.GetArrayDataReference(_gx);
        ref var gyr = ref MemoryMarshal.GetArrayDataReference(_gy);
        Vector256<float> sum = default, sum2 = default, gxs = default, gys = default, ts = default;
        if (x0 >= 0 && y0 >= 0 && x0 + n < w && y0 + n < h)
        {
            ref var im = ref MemoryMarshal.GetArrayDataReference(img);
            Vector256<float> w00 = Vector256.Create((1 - fx) * (1 - fy)), w10 = Vector256.Create(fx * (1 - fy)),
                w01 = Vector256.Create((1 - fx) * fy), w11 = Vector256.Create(fx * fy);
            var k = 0;
            for (var j = 0; j < n; j++)
            {
                var r0 = (nuint)((y0 + j) * w + x0);
                var r1 = r0 + (nuint)w;
                for (var i = 0; i < n; i += 8, k += 8)
                {
                    var o = (nuint)i;
                    var v = w00 * Vector256.LoadUnsafe(ref im, r0 + o) + w10 * Vector256.LoadUnsafe(ref im, r0 + o + 1)
                          + w01 * Vector256.LoadUnsafe(ref im, r1 + o) + w11 * Vector256.LoadUnsafe(ref im, r1 + o + 1);
                    sum += v; sum2 += v * v;
                    gxs += Vector256.LoadUnsafe(ref gxr, (nuint)k) * v;
                    gys += Vector256.LoadUnsafe(ref gyr, (nuint)k) * v;
                    ts += Vector256.LoadUnsafe(ref t, (nuint)k) * v;
                }
            }
        }
        else
        {
            SampleClamped(img, w, h, x0, y0, fx, fy);
            ref var s = ref MemoryMarshal.GetArrayDataReference(_s);
            for (var k = 0; k < n * n; k += 8)
            {
                var v = Vector256.LoadUnsafe(ref s, (nuint)k);
                sum += v; sum2 += v * v;
                gxs += Vector256.LoadUnsafe(ref gxr, (nuint)k) * v;
                gys += Vector256.LoadUnsafe(ref gyr, (nuint)k) * v;
                ts += Vector256.LoadUnsafe(ref t, (nuint)k) * v;
            }
        }
        float total = Vector256.Sum(sum), mean = total / (n * n), varI = Vector256.Sum(sum2) - total * mean;
        var g = varI > 1e-3f ? Math.Clamp(MathF.Sqrt(varT / varI), 0.2f, 5f) : 1f;
        var bx = _sgxt - g * (Vector256.Sum(gxs) - mean * _sgx);
        var by = _sgyt - g * (Vector256.Sum(gys) - mean * _sgy);
        var e2 = varT - 2 * g * Vector256.Sum(ts) + g * g * varI;
        return (bx, by, MathF.Max(0, e2) / varT);
    }

    /// <summary>Border case: per-pixel clamped bilinear sampling into the sample buffer.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void SampleClamped(float[] img, int w, int h, int x0, int y0, float fx, float fy)
    {
        float w00 = (1 - fx) * (1 - fy), w10 = fx * (1 - fy), w01 = (1 - fx) * fy, w11 = fx * fy;
        var k = 0;
        for (var j = 0; j < _n; j++)
        {
            int ya = Math.Clamp(y0 + j, 0, h - 1) * w, yb = Math.Clamp(y0 + j + 1, 0, h - 1) * w;
            for (var i = 0; i < _n; i++, k++)
            {
                int xa = Math.Clamp(x0 + i, 0, w - 1), xb = Math.Clamp(x0 + i + 1, 0, w - 1);
                _s[k] = w00 * img[ya + xa] + w10 * img[ya + xb] + w01 * img[yb + xa] + w11 * img[yb + xb];
            }
        }
    }
}
