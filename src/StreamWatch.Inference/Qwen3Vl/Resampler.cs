namespace StreamWatch.Inference.Qwen3Vl;

/// <summary>Separable bicubic (a = −0.5) resampling of planar float images; antialiased when shrinking.</summary>
internal static class Resampler
{
    public static float[] Resize(float[] src, int sw, int sh, int dw, int dh)
    {
        int planes = src.Length / (sw * sh);
        var (xs, xw, xn) = Weights(sw, dw);
        var (ys, yw, yn) = Weights(sh, dh);
        var tmp = new float[sh * dw];
        var dst = new float[planes * dw * dh];
        for (var p = 0; p < planes; p++)
        {
            var s = src.AsSpan(p * sw * sh, sw * sh);
            for (var y = 0; y < sh; y++)
            for (var x = 0; x < dw; x++)
            {
                float acc = 0;
                var row = s.Slice(y * sw + xs[x], xn);
                for (var k = 0; k < xn; k++) acc += row[k] * xw[x * xn + k];
                tmp[y * dw + x] = acc;
            }
            var d = dst.AsSpan(p * dw * dh, dw * dh);
            for (var y = 0; y < dh; y++)
            for (var x = 0; x < dw; x++)
            {
                float acc = 0;
                for (var k = 0; k < yn; k++) acc += tmp[(ys[y] + k) * dw + x] * yw[y * yn + k];
                d[y * dw + x] = acc;
            }
        }
        return dst;
    }

    /// <summary>For each output index: first input index and <c>n</c> normalised weights (edge-clamped window).</summary>
    private static (int[] Start, float[] W, int N) Weights(int inSize, int outSize)
    {
        double scale = (double)inSize / outSize, support = 2.0 * Math.Max(scale, 1.0), fs = Math.Max(scale, 1.0);
        int n = Math.Min(inSize, (int)Math.Ceiling(support) * 2 + 1);
        var start = new int[outSize];
        var w = new float[outSize * n];
        Span<double> tmp = stackalloc double[n];
        for (var o = 0; o < outSize; o++)
        {
            var center = (o + 0.5) * scale;
            var s0 = Math.Clamp((int)Math.Floor(center - support + 0.5), 0, inSize - n);
            start[o] = s0;
            double sum = 0;
            for (var k = 0; k < n; k++) sum += tmp[k] = Cubic((s0 + k + 0.5 - center) / fs);
            for (var k = 0; k < n; k++) w[o * n + k] = (float)(sum == 0 ? (k == 0 ? 1 : 0) : tmp[k] / sum);
        }
        return (start, w, n);
    }

    private static double Cubic(double x)
    {
        const double a = -0.5;
        x = Math.Abs(x);
        if (x < 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
        if (x < 2) return (((x - 5) * x + 8) * x - 4) * a;
        return 0;
    }
}
