using System.Numerics;
using System.Runtime.InteropServices;
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

    /// <summary>Index of the largest value (the first one on ties); −1 when none is finite or +∞.</summary>
    public static int ArgMax(ReadOnlySpan<float> v)
    {
        float max = float.NegativeInfinity;
        int i = 0;
        if (Vector.IsHardwareAccelerated && v.Length >= Vector<float>.Count * 2)
        {
            // four independent accumulators: one would serialise on Max's latency (~4 cycles per vector)
            var a0 = new Vector<float>(float.NegativeInfinity);
            var (a1, a2, a3) = (a0, a0, a0);
            var vs = MemoryMarshal.Cast<float, Vector<float>>(v);
            int k = 0;
            for (; k + 4 <= vs.Length; k += 4)
            {
                a0 = Vector.Max(a0, vs[k]); a1 = Vector.Max(a1, vs[k + 1]);
                a2 = Vector.Max(a2, vs[k + 2]); a3 = Vector.Max(a3, vs[k + 3]);
            }
            for (; k < vs.Length; k++) a0 = Vector.Max(a0, vs[k]);
            var acc = Vector.Max(Vector.Max(a0, a1), Vector.Max(a2, a3));
            for (int l = 0; l < Vector<float>.Count; l++) if (acc[l] > max) max = acc[l];
            i = vs.Length * Vector<float>.Count;
        }
        for (; i < v.Length; i++) if (v[i] > max) max = v[i];
        if (float.IsNegativeInfinity(max)) return -1;
        int j = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var m = new Vector<float>(max);
            var vs = MemoryMarshal.Cast<float, Vector<float>>(v);
            while (j < vs.Length && !Vector.EqualsAny(vs[j], m)) j++;
            j *= Vector<float>.Count;
        }
        for (; j < v.Length; j++) if (v[j] == max) return j;
        return -1;
    }
}
