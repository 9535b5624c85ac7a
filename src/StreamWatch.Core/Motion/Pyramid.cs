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
            width = Math.Max(1, width / 2); height = Math.Max(1, height / 2);
        }
    }

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

    private static void Halve(float[] src, int sw, float[] dst, int dw, int dh)
    {
        for (var y = 0; y < dh; y++)
        {
            var r0 = src.AsSpan(2 * y * sw, sw);
            var r1 = src.AsSpan((2 * y + 1) * sw, sw);
            var d = dst.AsSpan(y * dw, dw);
            for (var x = 0; x < dw; x++)
                d[x] = 0.25f * (r0[2 * x] + r0[2 * x + 1] + r1[2 * x] + r1[2 * x + 1]);
        }
    }
}
