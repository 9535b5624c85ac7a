using System.Buffers;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace StreamWatch.Core.Motion;

/// <summary>Area-average downscaling of a grey (luma) plane to the analysis size.</summary>
public static class GreyScaler
{
    /// <summary>
    /// Each destination pixel is the exact area average of the source pixels it covers
    /// (fractional coverage at the edges), so any ratio ≥ 1 works, integer or not.
    /// </summary>
    public static void Downscale(ReadOnlySpan<byte> src, int sw, int sh, Span<byte> dst, int dw, int dh)
    {
        if (sw <= 0 || sh <= 0 || dw <= 0 || dh <= 0) throw new ArgumentException("sizes must be positive");
        if (dw > sw || dh > sh) throw new ArgumentException($"cannot upscale {sw}x{sh} to {dw}x{dh}");
        if (src.Length < sw * sh) throw new ArgumentException($"source holds {src.Length} bytes, {sw}x{sh} needs {sw * sh}", nameof(src));
        if (dst.Length < dw * dh) throw new ArgumentException($"destination holds {dst.Length} bytes, {dw}x{dh} needs {dw * dh}", nameof(dst));
        if (sw == dw && sh == dh) { src[..(sw * sh)].CopyTo(dst); return; }

        float[]? rented = null;
        var need = sw + 4 * dw;
        var scratch = need <= 4096 ? stackalloc float[need] : (rented = ArrayPool<float>.Shared.Rent(need)).AsSpan(0, need);
        var row = scratch[..sw];
        // Horizontal footprint of each destination column: first and last source column and their weights.
        var first = MemoryMarshal.Cast<float, int>(scratch.Slice(sw, dw));
        var wFirst = scratch.Slice(sw + dw, dw);
        var wLast = scratch.Slice(sw + 2 * dw, dw);
        var lastCol = MemoryMarshal.Cast<float, int>(scratch.Slice(sw + 3 * dw, dw));
        double ry = (double)sh / dh, rx = (double)sw / dw;
        for (var x = 0; x < dw; x++)
        {
            double x0 = x * rx, x1 = x0 + rx;
            var i0 = (int)x0;
            var last = Math.Min(sw, (int)Math.Ceiling(x1)) - 1;
            first[x] = i0;
            lastCol[x] = last;
            wFirst[x] = (float)(Math.Min(i0 + 1, x1) - x0);
            wLast[x] = last > i0 ? (float)(x1 - last) : 0;
        }
        var norm = (float)(1.0 / (rx * ry));
        for (var y = 0; y < dh; y++)
        {
            double y0 = y * ry, y1 = y0 + ry;
            row.Clear();
            for (var j = (int)y0; j < sh && j < y1; j++)
            {
                var w = (float)(Math.Min(j + 1, y1) - Math.Max(j, y0));
                if (w > 1e-6f) AccumulateRow(src.Slice(j * sw, sw), row, w);
            }
            var drow = dst.Slice(y * dw, dw);
            for (var x = 0; x < dw; x++)
            {
                int i0 = first[x], il = lastCol[x];
                var sum = wFirst[x] * row[i0];
                for (var i = i0 + 1; i < il; i++) sum += row[i];
                if (il > i0) sum += wLast[x] * row[il];
                drow[x] = (byte)Math.Clamp((int)(sum * norm + 0.5f), 0, 255);
            }
        }
        if (rented != null) ArrayPool<float>.Shared.Return(rented);
    }

    private static void AccumulateRow(ReadOnlySpan<byte> s, Span<float> acc, float w)
    {
        var i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            ref var sb = ref MemoryMarshal.GetReference(s);
            ref var ab = ref MemoryMarshal.GetReference(acc);
            var wv = Vector256.Create(w);
            for (; i <= s.Length - 32; i += 32)
            {
                var b = Vector256.LoadUnsafe(ref sb, (nuint)i);
                var (lo, hi) = Vector256.Widen(b);
                var (a0, a1) = Vector256.Widen(lo);
                var (a2, a3) = Vector256.Widen(hi);
                Add(ref ab, i, a0, wv); Add(ref ab, i + 8, a1, wv);
                Add(ref ab, i + 16, a2, wv); Add(ref ab, i + 24, a3, wv);
            }
        }
        for (; i < s.Length; i++) acc[i] += w * s[i];
    }

    private static void Add(ref float acc, int i, Vector256<uint> v, Vector256<float> w)
    {
        var a = Vector256.LoadUnsafe(ref acc, (nuint)i);
        (a + Vector256.ConvertToSingle(v) * w).StoreUnsafe(ref acc, (nuint)i);
    }
}
