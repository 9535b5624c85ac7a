using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace StreamWatch.Core.Motion;

/// <summary>Grey image pyramid in floats; level k is the 2×2 box average of level k−1. Buffers are reused.</summary>
internal sealed class Pyramid
{
    public Pyramid(int levels, int width, int height)
    {
        Levels = levels;
        Data = new float[levels][];
        Width = new int[levels];
        Height = new int[levels];
        for (var l = 0; l < levels; l++)
        {
            Width[l] = width; Height[l] = height;
            Data[l] = new float[width * height];
            if (l == 0) { _row = new float[width]; _taps = new float[width]; }
            width = Math.Max(1, width / 2); height = Math.Max(1, height / 2);
        }
    }

    private readonly float[] _row = [], _taps = [];

    public int Levels { get; }
    public float[][] Data { get; }
    public int[] Width { get; }
    public int[] Height { get; }

    public void Build(ReadOnlySpan<byte> grey)
    {
        ToFloat(grey[..Data[0].Length], Data[0]);
        for (var l = 1; l < Levels; l++) Halve(Data[l - 1], Width[l - 1], Data[l], Width[l], Height[l]);
    }

    private static void ToFloat(ReadOnlySpan<byte> s, Span<float> d)
    {
        var i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            ref var sb = ref MemoryMarshal.GetReference(s);
            ref var db = ref MemoryMarshal.GetReference(d);
            for (; i <= s.Length - 32; i += 32)
            {
                var (lo, hi) = Vector256.Widen(Vector256.LoadUnsafe(ref sb, (nuint)i));
                var (a0, a1) = Vector256.Widen(lo);
                var (a2, a3) = Vector256.Widen(hi);
                Vector256.ConvertToSingle(a0).StoreUnsafe(ref db, (nuint)i);
                Vector256.ConvertToSingle(a1).StoreUnsafe(ref db, (nuint)(i + 8));
                Vector256.ConvertToSingle(a2).StoreUnsafe(ref db, (nuint)(i + 16));
                Vector256.ConvertToSingle(a3).StoreUnsafe(ref db, (nuint)(i + 24));
            }
        }
        for (; i < s.Length; i++) d[i] = s[i];
    }

    /// <summary>5-tap binomial (1 4 6 4 1) blur and 2× decimation, borders clamped (like OpenCV pyrDown).</summary>
    private void Halve(float[] src, int sw, float[] dst, int dw, int dh)
    {
        var sh = src.Length / sw;
        var tmp = _row.AsSpan(0, sw);
        for (var y = 0; y < dh; y++)
        {
            int c = 2 * y;
            VerticalTaps(src.AsSpan(Math.Max(c - 2, 0) * sw, sw), src.AsSpan(Math.Max(c - 1, 0) * sw, sw),
                src.AsSpan(c * sw, sw), src.AsSpan(Math.Min(c + 1, sh - 1) * sw, sw),
                src.AsSpan(Math.Min(c + 2, sh - 1) * sw, sw), tmp);
            HorizontalTaps(tmp, _taps.AsSpan(0, sw));
            var d = dst.AsSpan(y * dw, dw);
            for (var x = 0; x < dw; x++) d[x] = _taps[2 * x] * (1f / 256);
        }
    }

    /// <summary>h[i] = t[i−2] + 4t[i−1] + 6t[i] + 4t[i+1] + t[i+2], borders clamped.</summary>
    private static void HorizontalTaps(ReadOnlySpan<float> t, Span<float> h)
    {
        var n = t.Length;
        for (var i = 0; i < Math.Min(2, n); i++) h[i] = Edge(t, i);
        var k = 2;
        if (Vector256.IsHardwareAccelerated)
        {
            Vector256<float> four = Vector256.Create(4f), six = Vector256.Create(6f);
            ref var tr = ref MemoryMarshal.GetReference(t);
            ref var hr = ref MemoryMarshal.GetReference(h);
            for (; k <= n - 10; k += 8)
            {
                var p = (nuint)k;
                var v = Vector256.LoadUnsafe(ref tr, p - 2) + Vector256.LoadUnsafe(ref tr, p + 2)
                    + four * (Vector256.LoadUnsafe(ref tr, p - 1) + Vector256.LoadUnsafe(ref tr, p + 1)) + six * Vector256.LoadUnsafe(ref tr, p);
                v.StoreUnsafe(ref hr, p);
            }
        }
        for (; k < n; k++) h[k] = k + 2 < n ? t[k - 2] + 4 * (t[k - 1] + t[k + 1]) + 6 * t[k] + t[k + 2] : Edge(t, k);
    }

    private static float Edge(ReadOnlySpan<float> t, int i)
    {
        int n = t.Length - 1;
        return t[Math.Max(i - 2, 0)] + 4 * (t[Math.Max(i - 1, 0)] + t[Math.Min(i + 1, n)]) + 6 * t[i] + t[Math.Min(i + 2, n)];
    }

    private static void VerticalTaps(ReadOnlySpan<float> r0, ReadOnlySpan<float> r1, ReadOnlySpan<float> r2,
        ReadOnlySpan<float> r3, ReadOnlySpan<float> r4, Span<float> t)
    {
        var i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            Vector256<float> four = Vector256.Create(4f), six = Vector256.Create(6f);
            ref float a = ref MemoryMarshal.GetReference(r0), b = ref MemoryMarshal.GetReference(r1), c = ref MemoryMarshal.GetReference(r2),
                d = ref MemoryMarshal.GetReference(r3), e = ref MemoryMarshal.GetReference(r4), o = ref MemoryMarshal.GetReference(t);
            for (; i <= t.Length - 8; i += 8)
            {
                var p = (nuint)i;
                var v = Vector256.LoadUnsafe(ref a, p) + Vector256.LoadUnsafe(ref e, p)
                    + four * (Vector256.LoadUnsafe(ref b, p) + Vector256.LoadUnsafe(ref d, p)) + six * Vector256.LoadUnsafe(ref c, p);
                v.StoreUnsafe(ref o, p);
            }
        }
        for (; i < t.Length; i++) t[i] = r0[i] + r4[i] + 4 * (r1[i] + r3[i]) + 6 * r2[i];
    }
}
