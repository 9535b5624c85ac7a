using StreamWatch.Jpeg;

namespace StreamWatch.Tests.Jpeg;

public class TurboJpegEncoderTests
{
    private static (int W, int H) SofSize(byte[] jpeg)
    {
        for (var i = 2; i + 8 < jpeg.Length;)
        {
            Assert.Equal(0xFF, jpeg[i]);
            var marker = jpeg[i + 1];
            var len = (jpeg[i + 2] << 8) | jpeg[i + 3];
            if (marker is 0xC0 or 0xC1 or 0xC2) return ((jpeg[i + 7] << 8) | jpeg[i + 8], (jpeg[i + 5] << 8) | jpeg[i + 6]);
            i += 2 + len;
        }
        throw new Xunit.Sdk.XunitException("no SOF marker");
    }

    [Theory]
    [InlineData(64, 48)]
    [InlineData(33, 17)]
    public void Encodes_i420_to_a_jpeg_of_the_same_size(int w, int h)
    {
        using var enc = new TurboJpegEncoder();
        var i420 = new byte[w * h + 2 * ((w + 1) / 2) * ((h + 1) / 2)];
        for (var i = 0; i < w * h; i++) i420[i] = (byte)(i % w * 4);
        var jpeg = enc.EncodeI420(i420, w, h, 80);
        Assert.Equal([0xFF, 0xD8], jpeg[..2]);
        Assert.Equal([0xFF, 0xD9], jpeg[^2..]);
        Assert.Equal((w, h), SofSize(jpeg));
    }

    [Fact]
    public void Higher_quality_gives_a_larger_file_for_a_detailed_image()
    {
        using var enc = new TurboJpegEncoder();
        var rnd = new Random(1);
        var i420 = new byte[128 * 96 * 3 / 2];
        rnd.NextBytes(i420);
        Assert.True(enc.EncodeI420(i420, 128, 96, 95).Length > enc.EncodeI420(i420, 128, 96, 30).Length);
    }

    [Fact]
    public void Short_buffers_and_bad_sizes_are_rejected_clearly()
    {
        using var enc = new TurboJpegEncoder();
        var e = Assert.Throws<ArgumentException>(() => enc.EncodeI420(new byte[10], 64, 48));
        Assert.Contains("4608", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => enc.EncodeI420(new byte[10], 0, 48));
        Assert.Throws<ArgumentOutOfRangeException>(() => enc.EncodeI420(new byte[4608], 64, 48, 0));
    }

    [Fact]
    public void Is_safe_to_use_from_several_threads()
    {
        using var enc = new TurboJpegEncoder();
        var i420 = new byte[64 * 48 * 3 / 2];
        var sizes = new System.Collections.Concurrent.ConcurrentBag<int>();
        Parallel.For(0, 32, _ => sizes.Add(enc.EncodeI420(i420, 64, 48).Length));
        Assert.Single(sizes.Distinct());
    }
}
