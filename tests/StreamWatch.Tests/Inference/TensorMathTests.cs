using System.Runtime.Intrinsics.X86;
using StreamWatch.Inference.Onnx;
using StreamWatch.Inference.Qwen3Vl;

namespace StreamWatch.Tests.Inference;

public class TensorMathTests
{
    /// <summary>Both block maxima: AVX-512 where this machine has it, and the portable one.</summary>
    private static IEnumerable<bool> Paths => Avx512F.IsSupported ? [true, false] : [false];

    private static void AssertArgMax(int expected, float[] v)
    {
        Assert.Equal(expected, TensorMath.ArgMax(v));
        foreach (var avx512 in Paths) Assert.Equal(expected, TensorMath.ArgMax(v, avx512));
    }

    /// <summary>The specification: first index of the largest non-NaN value, −1 when none is above −∞.</summary>
    private static int Reference(float[] v)
    {
        int best = -1;
        float max = float.NegativeInfinity;
        for (int i = 0; i < v.Length; i++) if (v[i] > max) { max = v[i]; best = i; }
        return best;
    }

    [Theory]
    [InlineData(5, 3)]
    [InlineData(1000, 999)]
    [InlineData(1000, 0)]
    [InlineData(1001, 517)]
    [InlineData(70, 65)]            // in the scalar tail
    [InlineData(1024, 1023)]        // last float of the first block
    [InlineData(1025, 1024)]        // a block of one
    [InlineData(151_936, 80_000)]   // Qwen3's vocabulary: the max in each accumulator and lane
    [InlineData(151_936, 80_008)]
    [InlineData(151_936, 80_016)]
    [InlineData(151_936, 80_027)]
    [InlineData(151_936, 80_063)]
    [InlineData(151_936, 151_935)]  // in the last, partial block (151 936 = 148 × 1 024 + 384)
    public void ArgMax_finds_the_first_largest_value(int n, int at)
    {
        var v = Enumerable.Range(0, n).Select(i => -(float)i).ToArray();
        v[at] = 7;
        if (at + 1 < n) v[n - 1] = 7; // a later tie loses
        AssertArgMax(at, v);
    }

    [Theory]
    [InlineData(100, 17, 18)]           // neighbours in one vector
    [InlineData(5000, 30, 30 + 16)]     // same lane, one vector apart
    [InlineData(5000, 1000, 1030)]      // same block
    [InlineData(5000, 1023, 1024)]      // adjacent blocks: the first block wins
    [InlineData(151_936, 2_000, 151_935)]
    public void ArgMax_ties_go_to_the_first_index(int n, int first, int second)
    {
        var v = new float[n];
        Array.Fill(v, -5f);
        v[second] = 3; v[first] = 3;
        AssertArgMax(first, v);
        v[first] = -0f; v[second] = 0f; // −0 equals +0
        AssertArgMax(first, v);
    }

    [Fact]
    public void ArgMax_is_minus_one_when_everything_is_masked()
    {
        var v = Enumerable.Repeat(float.NegativeInfinity, 100).ToArray();
        AssertArgMax(-1, v);
        v[42] = float.NaN;
        AssertArgMax(-1, v);
        v[77] = -1e30f;
        AssertArgMax(77, v);
        v[90] = float.PositiveInfinity;
        AssertArgMax(90, v);
        AssertArgMax(-1, []);
        AssertArgMax(-1, Enumerable.Repeat(float.NaN, 3000).ToArray());
    }

    [Theory]
    [InlineData(1000, 517)]
    [InlineData(151_936, 80_027)]
    [InlineData(151_936, 151_935)]
    public void ArgMax_NaN_is_never_chosen_and_hides_no_value(int n, int at)
    {
        var v = Enumerable.Range(0, n).Select(i => -(float)i).ToArray();
        v[at] = 7;
        // a NaN in the max's own lane and accumulator, earlier and later, and right beside it
        foreach (int k in new[] { at - 64, at - 16, at - 1, at + 1, at + 16, 0 }) if (k >= 0 && k < n && k != at) v[k] = float.NaN;
        AssertArgMax(at, v);
    }

    [Fact]
    public void ArgMax_equals_the_scalar_definition_on_random_rows_of_every_length()
    {
        var rnd = new Random(11);
        float[] specials = [float.NaN, float.NegativeInfinity, float.PositiveInfinity, -0f, 0f, 1f];
        for (int trial = 0; trial < 1500; trial++)
        {
            int n = trial < 300 ? trial : rnd.Next(300, 5000);
            // few distinct values, so ties are common; sometimes NaN, ±∞ and signed zeros
            var v = new float[n];
            for (int i = 0; i < n; i++)
                v[i] = rnd.Next(20) == 0 ? specials[rnd.Next(specials.Length)] : rnd.Next(-40, 4);
            if (trial % 7 == 0) Array.Fill(v, float.NegativeInfinity, 0, n / 2);
            AssertArgMax(Reference(v), v);
        }
    }

    [Fact]
    public unsafe void Half_buffers_convert_both_ways()
    {
        var h = (Half[])TensorMath.Buffer(OnnxElementType.Float16, [1.5f, -2f, 65504f]);
        var back = new float[2];
        TensorMath.Read(System.Runtime.InteropServices.MemoryMarshal.AsBytes(h.AsSpan()), OnnxElementType.Float16, 1, back);
        Assert.Equal([-2f, 65504f], back);
        TensorMath.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(h.AsSpan()), OnnxElementType.Float16, 0, [0.25f]);
        Assert.Equal((Half)0.25f, h[0]);
    }
}
