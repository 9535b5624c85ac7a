using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using StreamWatch.Inference.Onnx;

namespace StreamWatch.Inference.Qwen3Vl;

/// <summary>float32/float16 conversion between managed buffers and tensor memory, and greedy argmax.</summary>
internal static class TensorMath
{
    /// <summary>A managed buffer of <paramref name="type"/> (float[] or Half[]) holding <paramref name="values"/>.</summary>
    public static Array Buffer(OnnxElementType type, ReadOnlySpan<float> values)
    {
        if (type == OnnxElementType.Float) return values.ToArray();
        var h = new Half[values.Length];
        for (int i = 0; i < h.Length; i++) h[i] = (Half)values[i];
        return h;
    }

    /// <summary>Writes <paramref name="src"/> at element offset <paramref name="at"/> of tensor bytes of <paramref name="type"/>.</summary>
    public static void Write(Span<byte> dst, OnnxElementType type, long at, ReadOnlySpan<float> src)
    {
        if (type == OnnxElementType.Float) src.CopyTo(MemoryMarshal.Cast<byte, float>(dst).Slice((int)at, src.Length));
        else { var d = MemoryMarshal.Cast<byte, Half>(dst).Slice((int)at, src.Length); for (int i = 0; i < src.Length; i++) d[i] = (Half)src[i]; }
    }

    /// <summary>Reads <paramref name="dst"/>.Length elements at element offset <paramref name="at"/> of tensor bytes as float.</summary>
    public static void Read(ReadOnlySpan<byte> src, OnnxElementType type, long at, Span<float> dst)
    {
        if (type == OnnxElementType.Float) MemoryMarshal.Cast<byte, float>(src).Slice((int)at, dst.Length).CopyTo(dst);
        else { var s = MemoryMarshal.Cast<byte, Half>(src).Slice((int)at, dst.Length); for (int i = 0; i < dst.Length; i++) dst[i] = (float)s[i]; }
    }

    /// <summary>Floats per block of <see cref="ArgMax(ReadOnlySpan{float})"/> (4 KB: the winning block is re-read from L1).</summary>
    internal const int ArgMaxBlock = 1024;

    /// <summary>
    /// Index of the largest value, the first one on ties (−0 equals +0); a NaN is never chosen and hides
    /// nothing; −1 when no value is above −∞. One pass over the row: the maximum of each block, keeping the
    /// first block whose maximum beats every block before it; only that block is searched for the index.
    /// </summary>
    public static int ArgMax(ReadOnlySpan<float> v) => ArgMax(v, Avx512F.IsSupported);

    /// <summary><see cref="ArgMax(ReadOnlySpan{float})"/> with the AVX-512 or the portable block maximum (tests run both).</summary>
    internal static int ArgMax(ReadOnlySpan<float> v, bool avx512)
    {
        float max = float.NegativeInfinity;
        int best = -1;
        for (int i = 0; i < v.Length; i += ArgMaxBlock)
        {
            var block = v.Slice(i, Math.Min(ArgMaxBlock, v.Length - i));
            float m = avx512 ? BlockMaxAvx512(block) : BlockMax(block);
            if (m > max) { max = m; best = i; }
        }
        if (best < 0) return -1;
        var w = v.Slice(best, Math.Min(ArgMaxBlock, v.Length - best));
        int j = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var m = new Vector<float>(max);
            var vs = MemoryMarshal.Cast<float, Vector<float>>(w);
            while (j < vs.Length && !Vector.EqualsAny(vs[j], m)) j++;
            j *= Vector<float>.Count;
        }
        while (w[j] != max) j++;   // max is in w
        return best + j;
    }

    /// <summary>Largest non-NaN value of <paramref name="b"/> (−∞ if none).</summary>
    private static float BlockMaxAvx512(ReadOnlySpan<float> b)
    {
        // vmaxps returns its second operand when either is NaN: with the accumulator second, no NaN enters it.
        // Four independent accumulators: one would serialise on the instruction's latency.
        ref float r = ref MemoryMarshal.GetReference(b);
        var a0 = Vector512.Create(float.NegativeInfinity);
        var (a1, a2, a3) = (a0, a0, a0);
        int k = 0;
        for (; k + 64 <= b.Length; k += 64)
        {
            a0 = Avx512F.Max(Vector512.LoadUnsafe(ref r, (nuint)k), a0);
            a1 = Avx512F.Max(Vector512.LoadUnsafe(ref r, (nuint)k + 16), a1);
            a2 = Avx512F.Max(Vector512.LoadUnsafe(ref r, (nuint)k + 32), a2);
            a3 = Avx512F.Max(Vector512.LoadUnsafe(ref r, (nuint)k + 48), a3);
        }
        for (; k + 16 <= b.Length; k += 16) a0 = Avx512F.Max(Vector512.LoadUnsafe(ref r, (nuint)k), a0);
        var a = Vector512.Max(Vector512.Max(a0, a1), Vector512.Max(a2, a3));
        var h = Vector256.Max(a.GetLower(), a.GetUpper());
        return ScalarMax(b[k..], HorizontalMax(Vector128.Max(h.GetLower(), h.GetUpper())));
    }

    /// <summary>Largest non-NaN value of <paramref name="b"/> (−∞ if none), on any vector width.</summary>
    private static float BlockMax(ReadOnlySpan<float> b)
    {
        var vs = MemoryMarshal.Cast<float, Vector<float>>(b);
        var a0 = new Vector<float>(float.NegativeInfinity);
        var (a1, a2, a3) = (a0, a0, a0);
        int k = 0;
        for (; k + 4 <= vs.Length; k += 4)
        {
            a0 = Above(vs[k], a0); a1 = Above(vs[k + 1], a1);
            a2 = Above(vs[k + 2], a2); a3 = Above(vs[k + 3], a3);
        }
        for (; k < vs.Length; k++) a0 = Above(vs[k], a0);
        var a = Above(Above(a0, a1), Above(a2, a3));
        float m = float.NegativeInfinity;
        for (int l = 0; l < Vector<float>.Count; l++) if (a[l] > m) m = a[l];
        return ScalarMax(b[(vs.Length * Vector<float>.Count)..], m);
    }

    /// <summary>Per lane: <paramref name="x"/> where it is above <paramref name="acc"/> (never NaN), else acc.</summary>
    private static Vector<float> Above(Vector<float> x, Vector<float> acc) => Vector.ConditionalSelect(Vector.GreaterThan(x, acc), x, acc);

    private static float HorizontalMax(Vector128<float> q)
    {
        q = Vector128.Max(q, Vector128.Shuffle(q, Vector128.Create(2, 3, 0, 1)));
        q = Vector128.Max(q, Vector128.Shuffle(q, Vector128.Create(1, 0, 3, 2)));
        return q.ToScalar();
    }

    private static float ScalarMax(ReadOnlySpan<float> tail, float m)
    {
        foreach (var x in tail) if (x > m) m = x;
        return m;
    }
}
