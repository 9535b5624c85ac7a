using System.Numerics;
using System.Runtime.InteropServices;
using StreamWatch.Inference.Ort;

namespace StreamWatch.Inference.Qwen3Vl;

/// <summary>float32/float16 conversion between managed buffers and tensor memory, and greedy argmax.</summary>
internal static unsafe class TensorMath
{
    /// <summary>A managed buffer of <paramref name="type"/> (float[] or Half[]) holding <paramref name="values"/>.</summary>
    public static Array Buffer(OrtElementType type, ReadOnlySpan<float> values)
    {
        if (type == OrtElementType.Float) return values.ToArray();
        var h = new Half[values.Length];
        for (int i = 0; i < h.Length; i++) h[i] = (Half)values[i];
        return h;
    }

    /// <summary>Writes <paramref name="src"/> at element offset <paramref name="at"/> of tensor memory of <paramref name="type"/>.</summary>
    public static void Write(void* dst, OrtElementType type, long at, ReadOnlySpan<float> src)
    {
        if (type == OrtElementType.Float) src.CopyTo(new Span<float>((float*)dst + at, src.Length));
        else { var d = (Half*)dst + at; for (int i = 0; i < src.Length; i++) d[i] = (Half)src[i]; }
    }

    /// <summary>Reads <paramref name="dst"/>.Length elements at element offset <paramref name="at"/> as float.</summary>
    public static void Read(void* src, OrtElementType type, long at, Span<float> dst)
    {
        if (type == OrtElementType.Float) new ReadOnlySpan<float>((float*)src + at, dst.Length).CopyTo(dst);
        else { var s = (Half*)src + at; for (int i = 0; i < dst.Length; i++) dst[i] = (float)s[i]; }
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
