using StreamWatch.Core.Motion;

namespace StreamWatch.Tests.Motion;

public class GreyScalerTests
{
    /// <summary>Exact area average in doubles, for comparison.</summary>
    private static byte[] Reference(byte[] src, int sw, int sh, int dw, int dh)
    {
        var dst = new byte[dw * dh];
        double rx = (double)sw / dw, ry = (double)sh / dh;
        for (var y = 0; y < dh; y++)
            for (var x = 0; x < dw; x++)
            {
                double sum = 0;
                for (var j = (int)(y * ry); j < Math.Min(sh, (int)Math.Ceiling((y + 1) * ry)); j++)
                {
                    var wy = Math.Min(j + 1, (y + 1) * ry) - Math.Max(j, y * ry);
                    if (wy <= 0) continue;
                    for (var i = (int)(x * rx); i < Math.Min(sw, (int)Math.Ceiling((x + 1) * rx)); i++)
                    {
                        var wx = Math.Min(i + 1, (x + 1) * rx) - Math.Max(i, x * rx);
                        if (wx > 0) sum += wx * wy * src[j * sw + i];
                    }
                }
                dst[y * dw + x] = (byte)Math.Round(sum / (rx * ry));
            }
        return dst;
    }

    [Theory]
    [InlineData(640, 360, 320, 180)]
    [InlineData(333, 201, 100, 61)]
    [InlineData(768, 432, 320, 180)]
    [InlineData(50, 40, 7, 3)]
    public void Matches_the_exact_area_average(int sw, int sh, int dw, int dh)
    {
        var src = new byte[sw * sh];
        new Random(sw).NextBytes(src);
        var dst = new byte[dw * dh];
        GreyScaler.Downscale(src, sw, sh, dst, dw, dh);
        var expected = Reference(src, sw, sh, dw, dh);
        for (var i = 0; i < dst.Length; i++)
            Assert.True(Math.Abs(dst[i] - expected[i]) <= 1, $"pixel {i}: {dst[i]} vs {expected[i]}");
    }

    [Fact]
    public void Two_to_one_is_the_mean_of_each_2x2_block()
    {
        byte[] src = [0, 10, 200, 255, 20, 30, 100, 101];
        var dst = new byte[2];
        GreyScaler.Downscale(src, 4, 2, dst, 2, 1);
        Assert.Equal(new byte[] { 15, 164 }, dst);
    }

    [Fact]
    public void Rejects_upscaling_and_short_buffers()
    {
        Assert.Throws<ArgumentException>(() => GreyScaler.Downscale(new byte[100], 10, 10, new byte[400], 20, 20));
        Assert.Throws<ArgumentException>(() => GreyScaler.Downscale(new byte[99], 10, 10, new byte[25], 5, 5));
        Assert.Throws<ArgumentException>(() => GreyScaler.Downscale(new byte[100], 10, 10, new byte[24], 5, 5));
    }
}
