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

public class AnnotatedSnapshotTests
{
    private const int W = 320, H = 180;
    private static readonly byte[] Grey = Grey420();

    private static byte[] Grey420()
    {
        var b = new byte[W * H * 3 / 2];
        b.AsSpan(0, W * H).Fill(120);
        b.AsSpan(W * H).Fill(128);
        return b;
    }

    // JPEG halves chroma resolution, so a 2 px line keeps its hue but not its full saturation.
    private static bool IsYellow((byte R, byte G, byte B) p) => p.R > 200 && p.G > 200 && p.B < p.G - 80;
    private static bool IsRed((byte R, byte G, byte B) p) => p.R > 170 && p.G < p.R - 80 && p.B < p.R - 80;
    private static bool IsGrey((byte R, byte G, byte B) p) => Math.Abs(p.R - p.G) < 20 && Math.Abs(p.G - p.B) < 20 && p.G is > 90 and < 150;

    [Fact]
    public void The_zone_polygon_and_the_moving_region_are_outlined_and_nothing_else_changes()
    {
        // Zone: a triangle with a horizontal top edge at y = 0.25 (row 45), x 0.5..0.9 (160..288).
        var zone = Core.Geometry.Polygon.Parse("0.5,0.25 0.9,0.25 0.7,0.9");
        // Moving region: x 0.1..0.3 (32..96), y 0.4..0.8 (72..144).
        var overlay = new Core.Frames.SnapshotOverlay([zone], new Core.Frames.Box(0.1f, 0.4f, 0.2f, 0.4f));
        var enc = new OpenCvJpegEncoder();
        var img = RgbImage.Decode(enc.EncodeI420(Grey, W, H, 95, overlay));
        var plain = RgbImage.Decode(enc.EncodeI420(Grey, W, H, 95));

        Assert.True(IsYellow(img.Pixel(220, 45)), $"zone top edge {img.Pixel(220, 45)}");
        Assert.True(IsYellow(img.Pixel(160, 45)), $"zone corner {img.Pixel(160, 45)}");
        Assert.True(IsRed(img.Pixel(32, 108)), $"moving region left edge {img.Pixel(32, 108)}");
        Assert.True(IsRed(img.Pixel(64, 144)), $"moving region bottom edge {img.Pixel(64, 144)}");
        Assert.True(IsRed(img.Pixel(96, 72)), $"moving region top-right corner {img.Pixel(96, 72)}");
        foreach (var (x, y) in new[] { (220, 70), (64, 108), (10, 10), (300, 170), (220, 35) })
            Assert.True(IsGrey(img.Pixel(x, y)), $"({x}, {y}) is {img.Pixel(x, y)}, not the image");
        Assert.True(IsGrey(plain.Pixel(220, 45)) && IsGrey(plain.Pixel(32, 108)), "without an overlay nothing is drawn");
    }

    [Fact]
    public void Outlines_are_drawn_at_the_default_inference_size()
    {
        var overlay = new Core.Frames.SnapshotOverlay([], new Core.Frames.Box(0.25f, 0.25f, 0.5f, 0.5f));
        var i420 = new byte[672 * 378 * 3 / 2];
        i420.AsSpan(0, 672 * 378).Fill(120);
        i420.AsSpan(672 * 378).Fill(128);
        var img = RgbImage.Decode(new OpenCvJpegEncoder().EncodeI420(i420, 672, 378, 95, overlay));
        // The left edge at x = 168, 2 px wide at this size.
        Assert.True(IsRed(img.Pixel(168, 189)), $"{img.Pixel(168, 189)}");
        Assert.True(IsGrey(img.Pixel(180, 189)), $"{img.Pixel(180, 189)}");
    }
}

public class AnnotatedStoreKeyframeTests
{
    [Fact]
    public void The_event_store_gets_the_outlined_keyframe_when_the_camera_asks_for_it()
    {
        const int W = 320, H = 180;
        var i420 = new byte[W * H * 3 / 2];
        i420.AsSpan(0, W * H).Fill(120);
        i420.AsSpan(W * H).Fill(128);
        var k = new Core.Keyframes.Keyframe("cam", DateTimeOffset.UnixEpoch, TimeSpan.Zero, 1, false, W, H, i420, new Core.Frames.Box(0.1f, 0.4f, 0.2f, 0.4f));
        var alert = new Core.Alerts.Alert
        {
            Id = "a1", Camera = "cam", Rule = "door", Phase = Core.Alerts.AlertPhase.New, Start = DateTimeOffset.UnixEpoch,
            StartOffset = TimeSpan.Zero, Offset = TimeSpan.Zero, Zone = "door", Keyframes = [k],
        };
        var e = new Core.Pipeline.AlertChanged("cam", DateTimeOffset.UnixEpoch, TimeSpan.Zero, alert);
        var camera = new Core.Config.CameraOptions { Name = "cam", Url = "x", Zones = { new Core.Config.ZoneOptions { Name = "door", Polygon = "0.5,0.25 0.9,0.25 0.7,0.9" } } };
        var enc = new OpenCvJpegEncoder();

        var plain = RgbImage.Decode(Sinks.StoreSink.ToRecord(e, enc, camera).Keyframes[0].Jpeg());
        camera.AnnotateSnapshots = true;
        var outlined = RgbImage.Decode(Sinks.StoreSink.ToRecord(e, enc, camera).Keyframes[0].Jpeg());

        Assert.True(plain.Pixel(32, 108).R < 150 && plain.Pixel(220, 45).B > 90, "switched off: the plain image");
        var red = outlined.Pixel(32, 108);
        Assert.True(red.R > 170 && red.G < red.R - 80, $"moving region edge {red}");
        var yellow = outlined.Pixel(220, 45);
        Assert.True(yellow.R > 200 && yellow.G > 200 && yellow.B < yellow.G - 80, $"zone edge {yellow}");
    }
}
