using StreamWatch.Core.Alerts;
using StreamWatch.Core.Config;
using StreamWatch.Core.Frames;
using StreamWatch.Core.Gate;
using StreamWatch.Core.Keyframes;
using StreamWatch.Core.Motion;
using StreamWatch.Core.Pipeline;
using StreamWatch.Tests.Motion;

namespace StreamWatch.Tests.Pipeline;

public class SnapshotOverlayTests
{
    private const int W = 320, H = 180;

    private static Alert AlertIn(string? zone) => new()
    {
        Id = "a1", Camera = "cam", Rule = "r", Phase = AlertPhase.New, Start = DateTimeOffset.UnixEpoch,
        StartOffset = TimeSpan.Zero, Offset = TimeSpan.Zero, Zone = zone,
    };

    private static CameraOptions Camera(bool annotate) => new()
    {
        Name = "cam", Url = "x", AnnotateSnapshots = annotate,
        Zones = { new ZoneOptions { Name = "door", Polygon = "0.1,0.1 0.4,0.1 0.4,0.9" }, new ZoneOptions { Name = "yard", Polygon = "0.5,0.5 1,0.5 1,1" } },
    };

    [Fact]
    public void Off_by_default_and_when_switched_off()
    {
        var k = new Keyframe("cam", DateTimeOffset.UnixEpoch, TimeSpan.Zero, 1, false, 2, 2, new byte[6], new Box(0, 0, 1, 1));
        Assert.False(new CameraOptions().AnnotateSnapshots);
        Assert.Null(SnapshotOverlay.For(Camera(false), AlertIn("door"), k));
        Assert.Null(SnapshotOverlay.For(null, AlertIn("door"), k));
    }

    [Fact]
    public void Shows_the_alerts_own_zone_and_the_keyframes_moving_region()
    {
        var moving = new Box(0.2f, 0.3f, 0.1f, 0.2f);
        var k = new Keyframe("cam", DateTimeOffset.UnixEpoch, TimeSpan.Zero, 1, false, 2, 2, new byte[6], moving);
        var o = SnapshotOverlay.For(Camera(true), AlertIn("door"), k)!;
        var zone = Assert.Single(o.Zones);
        Assert.Equal((0.4f, 0.9f), zone[2]);
        Assert.Equal(moving, o.Moving);
        Assert.Empty(SnapshotOverlay.For(Camera(true), AlertIn(null), k)!.Zones); // a motion rule has no zone
    }

    [Fact]
    public void A_keyframe_carries_the_bounds_of_the_box_that_moved()
    {
        var camera = new CameraOptions { Name = "cam", Url = "x", Rules = { new RuleOptions { Name = "m", Type = RuleType.Motion } } };
        var pipeline = new CameraPipeline(camera, new MotionOptions(), new GateOptions(), new KeyframeOptions(), W, H, (_, _) => "a1");
        var bg = new SyntheticScene(9);
        var box = new SyntheticScene(90);
        var frame = new Frame(W, H);
        var output = new List<PipelineEvent>();
        var keyframes = new List<Keyframe>();
        static int BoxX(int i) => 40 + 8 * Math.Max(0, i - 2); // 30×50 box at y 100..149, still, then 8 px per frame
        for (var i = 0; i < 16; i++)
        {
            var x = BoxX(i);
            var img = bg.Render(W, H);
            SyntheticScene.PasteBox(img, W, box, x, 100, 30, 50);
            img.CopyTo(frame.I420, 0);
            frame.Offset = TimeSpan.FromSeconds(0.2 * i);
            frame.CapturedUtc = DateTimeOffset.UnixEpoch.AddSeconds(0.2 * i);
            output.Clear();
            pipeline.Process(frame, output);
            keyframes.AddRange(output.OfType<KeyframeSelected>().Select(e => e.Keyframe).Where(k => !k.PreRoll));
        }
        Assert.NotEmpty(keyframes);
        foreach (var k in keyframes)
        {
            var x = BoxX((int)Math.Round(k.Offset.TotalSeconds / 0.2)); // the keyframe's own frame
            var m = Assert.NotNull(k.Moving);
            // Changed pixels lie where the box is now or was a frame ago (x − 8 .. x + 30), rows 100..149,
            // give or take the 1-cell neighbourhood's texture edges.
            Assert.InRange(m.X * W, x - 8 - 4, x + 4);
            Assert.InRange((m.X + m.Width) * W, x + 30 - 4, x + 30 + 4);
            Assert.InRange(m.Y * H, 100 - 4, 100 + 8);
            Assert.InRange((m.Y + m.Height) * H, 150 - 8, 150 + 4);
        }
    }
}
