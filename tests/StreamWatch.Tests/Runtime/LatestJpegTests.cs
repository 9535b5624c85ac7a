using Microsoft.Extensions.Logging.Abstractions;
using StreamWatch.Config;
using StreamWatch.Core.Config;
using StreamWatch.Core.Frames;
using StreamWatch.Imaging;
using StreamWatch.Runtime;

namespace StreamWatch.Tests.Runtime;

/// <summary>The API's latest.jpg is outlined like the alert snapshots when the camera's AnnotateSnapshots is on.</summary>
public class LatestJpegTests
{
    private const int W = 320, H = 180;

    private static RgbImage Latest(bool annotate)
    {
        var camera = new CameraOptions
        {
            Name = "cam", Url = "x", AnnotateSnapshots = annotate,
            Zones = { new ZoneOptions { Name = "door", Polygon = "0.5,0.25 0.9,0.25 0.7,0.9" } },
        };
        var worker = new CameraWorker(camera, new AppOptions { Cameras = [camera] }, NullLogger.Instance, TimeProvider.System);
        var frame = new Frame(W, H) { CapturedUtc = DateTimeOffset.UnixEpoch };
        frame.I420.AsSpan(0, W * H).Fill(120);
        frame.I420.AsSpan(W * H).Fill(128);
        worker.Latest.Offer(frame, new Box(0.1f, 0.4f, 0.2f, 0.4f)); // as the camera's loop does, with the frame's moving region
        return RgbImage.Decode(CameraDirectory.Encode(worker, new OpenCvJpegEncoder())!);
    }

    private static bool IsYellow((byte R, byte G, byte B) p) => p.R > 200 && p.G > 200 && p.B < p.G - 80;
    private static bool IsRed((byte R, byte G, byte B) p) => p.R > 170 && p.G < p.R - 80;

    [Fact]
    public void Outlines_the_zones_and_the_moving_region_when_switched_on()
    {
        var img = Latest(annotate: true);
        Assert.True(IsYellow(img.Pixel(220, 45)), $"zone edge {img.Pixel(220, 45)}");
        Assert.True(IsRed(img.Pixel(32, 108)), $"moving region edge {img.Pixel(32, 108)}");
    }

    [Fact]
    public void Is_the_plain_frame_when_switched_off()
    {
        var img = Latest(annotate: false);
        Assert.False(IsYellow(img.Pixel(220, 45)), $"zone edge {img.Pixel(220, 45)}");
        Assert.False(IsRed(img.Pixel(32, 108)), $"moving region edge {img.Pixel(32, 108)}");
    }
}
