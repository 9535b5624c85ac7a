using StreamWatch.Core.Alerts;
using StreamWatch.Core.Config;
using StreamWatch.Core.Frames;
using StreamWatch.Core.Gate;
using StreamWatch.Core.Keyframes;
using StreamWatch.Core.Motion;
using StreamWatch.Core.Pipeline;
using StreamWatch.Tests.Motion;

namespace StreamWatch.Tests.Pipeline;

/// <summary>A zone rule fires on the first frame an object is inside its zone, not once it fills a grid cell.</summary>
public class ZoneEntryTests
{
    private const int W = 320, H = 180;

    [Fact]
    public void A_box_walking_into_a_zone_is_reported_on_the_first_frame_it_is_inside()
    {
        // Zone: x ≥ 0.3 (pixel columns 96 and up). The first zone grid cell (16×9 grid, 20 px cells)
        // is column 5, x 100..119, whose tracked patch starts at x 102.
        var rule = new RuleOptions { Name = "enter", Type = RuleType.Zone, Zone = "right", EndAfterSeconds = 1 };
        var camera = new CameraOptions { Name = "cam", Url = "x", Zones = { new ZoneOptions { Name = "right", Polygon = "0.3,0 1,0 1,1 0.3,1" } }, Rules = { rule } };
        var pipeline = new CameraPipeline(camera, new MotionOptions(), new GateOptions(), new KeyframeOptions(), W, H, (_, _) => "a1");
        var bg = new SyntheticScene(9);
        var box = new SyntheticScene(90);
        var frame = new Frame(W, H);
        var output = new List<PipelineEvent>();
        int? opened = null, alerted = null;
        for (var i = 0; i < 16 && alerted is null; i++)
        {
            // A 30×55 box, still for 0.4 s, then 9 px per frame (45 px/s at 5 fps): its right edge
            // (exclusive) is at 30 + 9(i − 2): 93 on frame 9 (outside), 102 on frame 10 (6 px inside).
            var x = 9 * Math.Max(0, i - 2);
            var img = bg.Render(W, H);
            SyntheticScene.PasteBox(img, W, box, x, 90, 30, 55);
            img.CopyTo(frame.I420, 0);
            frame.Offset = TimeSpan.FromSeconds(0.2 * i);
            frame.CapturedUtc = DateTimeOffset.UnixEpoch.AddSeconds(0.2 * i);
            output.Clear();
            pipeline.Process(frame, output);
            if (output.Any(e => e is MotionChanged { Active: true })) opened ??= i;
            if (output.Any(e => e is AlertChanged { Alert.Phase: AlertPhase.New })) alerted = i;
        }
        Assert.True(opened < 9, $"gate opened on frame {opened}");
        Assert.Equal(10, alerted);
    }
}
