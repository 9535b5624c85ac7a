namespace StreamWatch.Core.Motion;

/// <summary>
/// Pyramidal Lucas–Kanade for one square patch, with per-patch gain and offset normalisation so
/// that brightness changes do not read as motion. Scratch buffers are reused; no allocation.
/// </summary>
internal sealed class PatchTracker
{
    private readonly int _r, _n, _iterations;
    private readonly float _eps2;
    private readonly float[] _t, _gx, _gy, _s;

    public PatchTracker(int radius, int iterations, float convergence)
    {
        _r = radius;
        _n = 2 * radius + 1;
        _iterations = iterations;
        _eps2 = convergence * convergence;
        _t = new float[_n * _n]; _gx = new float[_n * _n]; _gy = new float[_n * _n]; _s = new float[_n * _n];
    }

    /// <summary>Tracks the patch around (cx, cy) (level-0 pixels) from prev into cur.</summary>
    /// <param name="texture">Smallest structure-tensor eigenvalue per pixel at level 0.</param>
    /// <param name="error">Normalised match error at level 0 (0 = perfect).</param>
    public void Track(Pyramid prev, Pyramid cur, float cx, float cy,
        out float dx, out float dy, out float texture, out float error)
    {
        dx = 0; dy = 0; texture = 0; error = 0;
        for (var l = prev.Levels - 1; l >= 0; l--)
        {
            int w = prev.Width[l], h = prev.Height[l];
            if (l > 0 && (w < _n + 2 || h < _n + 2)) continue;
            var scale = 1f / (1 << l);
            var tx = Math.Clamp((int)MathF.Round(cx * scale), _r + 1, Math.Max(_r + 1, w - _r - 2));
            var ty = Math.Clamp((int)MathF.Round(cy * scale), _r + 1, Math.Max(_r + 1, h - _r - 2));
            var (gxx, gxy, gyy, varT) = Template(prev.Data[l], w, h, tx, ty);
            var det = gxx * gyy - gxy * gxy;
            if (l == 0)
            {
                var tr = 0.5f * (gxx + gyy);
                texture = (tr - MathF.Sqrt(MathF.Max(0, tr * tr - det))) / (_n * _n);
            }
            if (det > 1e-3f * (gxx + gyy) * (gxx + gyy) && varT > 1e-3f)
            {
                for (var it = 0; it < _iterations; it++)
                {
                    var (bx, by, err) = Mismatch(cur.Data[l], w, h, tx - _r + dx, ty - _r + dy, varT);
                    var ux = (gyy * bx - gxy * by) / det;
                    var uy = (gxx * by - gxy * bx) / det;
                    dx += ux; dy += uy;
                    if (l == 0) error = err;
                    if (ux * ux + uy * uy < _eps2) break;
                }
            }
            else if (l == 0) error = 0;
            if (l > 0) { dx *= 2; dy *= 2; }
        }
    }

    /// <summary>Fills template values and central-difference gradients; returns the structure tensor and template variance·N.</summary>
    private (float gxx, float gxy, float gyy, float varT) Template(float[] img, int w, int h, int tx, int ty)
    {
        float sxx = 0, sxy = 0, syy = 0, sum = 0, sum2 = 0;
        var k = 0;
        for (var j = -_r; j <= _r; j++)
        {
            var row = (ty + j) * w;
            for (var i = -_r; i <= _r; i++, k++)
            {
                var p = row + tx + i;
                var v = img[p];
                var gx = 0.5f * (img[p + 1] - img[p - 1]);
                var gy = 0.5f * (img[p + w] - img[p - w]);
                _t[k] = v; _gx[k] = gx; _gy[k] = gy;
                sxx += gx * gx; sxy += gx * gy; syy += gy * gy;
                sum += v; sum2 += v * v;
            }
        }
        var mean = sum / k;
        for (var i = 0; i < k; i++) _t[i] -= mean;
        return (sxx, sxy, syy, sum2 - sum * mean);
    }

    /// <summary>Samples cur bilinearly at the warped patch, normalises its gain/offset to the template and returns Σ∇T·e and the normalised error.</summary>
    private (float bx, float by, float err) Mismatch(float[] img, int w, int h, float px, float py, float varT)
    {
        var x0 = (int)MathF.Floor(px); var y0 = (int)MathF.Floor(py);
        float fx = px - x0, fy = py - y0;
        float w00 = (1 - fx) * (1 - fy), w10 = fx * (1 - fy), w01 = (1 - fx) * fy, w11 = fx * fy;
        var n = _n;
        var inside = x0 >= 0 && y0 >= 0 && x0 + n < w && y0 + n < h;
        float sum = 0, sum2 = 0;
        var k = 0;
        for (var j = 0; j < n; j++)
        {
            for (var i = 0; i < n; i++, k++)
            {
                float v;
                if (inside)
                {
                    var p = (y0 + j) * w + x0 + i;
                    v = w00 * img[p] + w10 * img[p + 1] + w01 * img[p + w] + w11 * img[p + w + 1];
                }
                else
                {
                    int xa = Math.Clamp(x0 + i, 0, w - 1), xb = Math.Clamp(x0 + i + 1, 0, w - 1);
                    int ya = Math.Clamp(y0 + j, 0, h - 1) * w, yb = Math.Clamp(y0 + j + 1, 0, h - 1) * w;
                    v = w00 * img[ya + xa] + w10 * img[ya + xb] + w01 * img[yb + xa] + w11 * img[yb + xb];
                }
                _s[k] = v; sum += v; sum2 += v * v;
            }
        }
        var mean = sum / k;
        var varI = sum2 - sum * mean;
        var gain = varI > 1e-3f ? Math.Clamp(MathF.Sqrt(varT / varI), 0.2f, 5f) : 1f;
        float bx = 0, by = 0, e2 = 0;
        for (var i = 0; i < k; i++)
        {
            var e = _t[i] - gain * (_s[i] - mean);
            bx += _gx[i] * e; by += _gy[i] * e; e2 += e * e;
        }
        return (bx, by, e2 / varT);
    }
}
