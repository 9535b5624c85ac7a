using StreamWatch.Inference.Qwen3Vl;

namespace StreamWatch.Tests.Inference.Prompting;

public class ImagePreprocessorTests
{
    [Theory]
    [InlineData(1280, 720, 16_777_216, 1280, 704)]
    [InlineData(640, 480, 16_777_216, 640, 480)]
    [InlineData(640, 360, 16_777_216, 640, 352)]
    [InlineData(224, 224, 16_777_216, 256, 256)]
    [InlineData(1920, 1080, 262_144, 672, 384)]
    [InlineData(1920, 1080, 524_288, 960, 512)]
    public void Smart_resize_matches_the_worked_examples(int w, int h, int maxPixels, int ew, int eh) =>
        Assert.Equal((ew, eh), ImagePreprocessor.SmartResize(w, h, maxPixels));

    [Theory]
    [InlineData(31, 100)]
    [InlineData(100, 16)]
    [InlineData(6432, 32)]
    public void Rejects_tiny_or_extreme_images(int w, int h) =>
        Assert.Throws<ArgumentException>(() => ImagePreprocessor.SmartResize(w, h, 262_144));

    [Fact]
    public void Patch_order_follows_the_merge_window_formula()
    {
        const int W = 96, H = 64;                                  // Bh = 2, Bw = 3
        var planes = new float[3 * H * W];
        for (var c = 0; c < 3; c++)
        for (var y = 0; y < H; y++)
        for (var x = 0; x < W; x++) planes[(c * H + y) * W + x] = c * 1_000_000 + y * 1000 + x;
        var pv = ImagePreprocessor.Patchify(planes, W, H);
        Assert.Equal(H / 16 * (W / 16) * 1536, pv.Length);
        for (var bh = 0; bh < 2; bh++)
        for (var bw = 0; bw < 3; bw++)
        for (var ih = 0; ih < 2; ih++)
        for (var iw = 0; iw < 2; iw++)
        for (var c = 0; c < 3; c++)
        for (var t = 0; t < 2; t++)
        for (var y = 0; y < 16; y++)
        for (var x = 0; x < 16; x++)
        {
            var r = ((bh * 3 + bw) * 2 + ih) * 2 + iw;
            var k = ((c * 2 + t) * 16 + y) * 16 + x;
            var expected = c * 1_000_000 + ((bh * 2 + ih) * 16 + y) * 1000 + (bw * 2 + iw) * 16 + x;
            Assert.Equal(expected, pv[r * 1536 + k]);
        }
    }

    [Theory]
    [InlineData(16, 128, 128, -1f, -1f, -1f)]                     // limited-range black
    [InlineData(235, 128, 128, 1f, 1f, 1f)]                       // limited-range white
    [InlineData(81, 90, 240, 1f, -1f, -1f)]                       // BT.601 red (approximately)
    public void Converts_I420_with_BT601_limited_range_and_normalises(byte y, byte u, byte v, float r, float g, float b)
    {
        const int W = 1280, H = 720;                              // resized to 1280×704 on the way
        var i420 = new byte[W * H * 3 / 2];
        Array.Fill(i420, y, 0, W * H);
        Array.Fill(i420, u, W * H, W * H / 4);
        Array.Fill(i420, v, W * H * 5 / 4, W * H / 4);
        var img = ImagePreprocessor.FromI420(i420, W, H, 16_777_216);
        Assert.Equal((44, 80), (img.GridH, img.GridW));
        Assert.Equal(22 * 40, img.TokenCount);
        foreach (var row in new[] { 0, img.PixelValues.Length / 1536 - 1 })
        {
            var p = img.PixelValues.AsSpan(row * 1536, 1536);
            Assert.Equal(r, p[0], 0.05f);
            Assert.Equal(g, p[512], 0.05f);
            Assert.Equal(b, p[1024], 0.05f);
        }
    }

    [Fact]
    public void Shrinking_keeps_a_horizontal_gradient_monotonic_and_in_range()
    {
        const int W = 1920, H = 1080;
        var i420 = new byte[W * H * 3 / 2];
        for (var yy = 0; yy < H; yy++)
        for (var x = 0; x < W; x++) i420[yy * W + x] = (byte)(16 + x * 219 / (W - 1));
        Array.Fill(i420, (byte)128, W * H, W * H / 2);
        var img = ImagePreprocessor.FromI420(i420, W, H, 262_144);
        Assert.Equal((24, 42), (img.GridH, img.GridW));
        Assert.All(img.PixelValues, v => Assert.InRange(v, -1f, 1f));
        // First row of the R plane of the top-left patch, then of its right neighbour in the merge window.
        var first = img.PixelValues.AsSpan(0, 16).ToArray().Concat(img.PixelValues.AsSpan(1536, 16).ToArray()).ToArray();
        for (var xo = 0; xo < first.Length; xo++)
        {
            var xin = (xo + 0.5) * W / 672.0 - 0.5;                // the source column under this output column
            var expected = 255.0 * xin / (W - 1) / 127.5 - 1;
            Assert.Equal(expected, first[xo], 0.03);
        }
    }
}
