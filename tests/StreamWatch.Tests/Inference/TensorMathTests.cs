using StreamWatch.Inference.Onnx;
using StreamWatch.Inference.Qwen3Vl;

namespace StreamWatch.Tests.Inference;

public class TensorMathTests
{
    [Theory]
    [InlineData(5, 3)]
    [InlineData(1000, 999)]
    [InlineData(1000, 0)]
    [InlineData(1001, 517)]
    [InlineData(70, 65)]            // in the scalar tail
    [InlineData(151_936, 80_000)]   // Qwen3's vocabulary; with 8-float vectors, the max in each of the four accumulators
    [InlineData(151_936, 80_008)]
    [InlineData(151_936, 80_016)]
    [InlineData(151_936, 80_027)]
    [InlineData(151_936, 151_935)]
    public void ArgMax_finds_the_first_largest_value(int n, int at)
    {
        var v = Enumerable.Range(0, n).Select(i => -(float)i).ToArray();
        v[at] = 7;
        if (at + 1 < n) v[n - 1] = 7; // a later tie loses
        Assert.Equal(at, TensorMath.ArgMax(v));
    }

    [Fact]
    public void ArgMax_is_minus_one_when_everything_is_masked()
    {
        var v = Enumerable.Repeat(float.NegativeInfinity, 100).ToArray();
        Assert.Equal(-1, TensorMath.ArgMax(v));
        v[42] = float.NaN;
        Assert.Equal(-1, TensorMath.ArgMax(v));
        v[77] = -1e30f;
        Assert.Equal(77, TensorMath.ArgMax(v));
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
