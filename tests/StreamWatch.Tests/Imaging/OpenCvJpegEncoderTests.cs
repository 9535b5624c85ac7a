using StreamWatch.Imaging;

namespace StreamWatch.Tests.Imaging;

public class OpenCvJpegEncoderTests
{
    private readonly OpenCvJpegEncoder _enc = new();

    /// <summary>A solid I420 colour: Y, U, V everywhere.</summary>
    private static byte[] Solid(int w, int h, byte y, byte u, byte v)
    {
        var b = new byte[w * h * 3 / 2];
        b.AsSpan(0, w * h).Fill(y);
        b.AsSpan(w * h, w * h / 4).Fill(u);
        b.AsSpan(w * h * 5 / 4).Fill(v);
        return b;
    }

    [Theory]
    [InlineData(64, 48)]
    [InlineData(34, 18)]
    public void Encodes_i420_to_a_jpeg_of_the_same_size(int w, int h)
    {
        var jpeg = _enc.EncodeI420(Solid(w, h, 128, 128, 128), w, h, 80);
        Assert.Equal([0xFF, 0xD8], jpeg[..2]);
        Assert.Equal([0xFF, 0xD9], jpeg[^2..]);
        var img = RgbImage.Decode(jpeg);
        Assert.Equal((w, h), (img.Width, img.Height));
    }

    [Theory] // BT.601 limited range, as ffmpeg's yuv420p from a camera: Y 81 U 90 V 240 is red
    [InlineData(81, 90, 240, 255, 0, 0)]
    [InlineData(145, 54, 34, 0, 255, 0)]
    [InlineData(41, 240, 110, 0, 0, 255)]
    [InlineData(235, 128, 128, 255, 255, 255)]
    public void Colours_survive_the_round_trip(byte y, byte u, byte v, int r, int g, int b)
    {
        var img = RgbImage.Decode(_enc.EncodeI420(Solid(32, 32, y, u, v), 32, 32, 95));
        var p = img.Pixel(16, 16);
        Assert.InRange(p.R, r - 12, r + 12);
        Assert.InRange(p.G, g - 12, g + 12);
        Assert.InRange(p.B, b - 12, b + 12);
    }

    [Fact]
    public void Higher_quality_gives_a_larger_file_for_a_detailed_image()
    {
        var i420 = new byte[128 * 96 * 3 / 2];
        new Random(1).NextBytes(i420);
        Assert.True(_enc.EncodeI420(i420, 128, 96, 95).Length > _enc.EncodeI420(i420, 128, 96, 30).Length);
    }

    [Fact]
    public void Short_buffers_and_bad_sizes_are_rejected_clearly()
    {
        var e = Assert.Throws<ArgumentException>(() => _enc.EncodeI420(new byte[10], 64, 48));
        Assert.Contains("4608", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => _enc.EncodeI420(new byte[10], 0, 48));
        Assert.Throws<ArgumentOutOfRangeException>(() => _enc.EncodeI420(new byte[100], 33, 17));
        Assert.Throws<ArgumentOutOfRangeException>(() => _enc.EncodeI420(new byte[4608], 64, 48, 0));
    }

    [Fact]
    public void Is_safe_to_use_from_several_threads()
    {
        var i420 = new byte[64 * 48 * 3 / 2];
        new Random(2).NextBytes(i420);
        var outputs = new System.Collections.Concurrent.ConcurrentBag<string>();
        Parallel.For(0, 32, _ => outputs.Add(Convert.ToBase64String(_enc.EncodeI420(i420, 64, 48))));
        Assert.Single(outputs.Distinct());
    }
}
