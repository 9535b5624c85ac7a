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
            var acc = new Vector<float>(float.NegativeInfinity);
            var vs = MemoryMarshal.Cast<float, Vector<float>>(v);
            foreach (var x in vs) acc = Vector.Max(acc, x);
            for (int k = 0; k < Vector<float>.Count; k++) if (acc[k] > max) max = acc[k];
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
