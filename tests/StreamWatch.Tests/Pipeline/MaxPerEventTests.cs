using StreamWatch.Core.Alerts;
using StreamWatch.Core.Config;
using StreamWatch.Core.Frames;
using StreamWatch.Core.Gate;
using StreamWatch.Core.Keyframes;
using StreamWatch.Core.Motion;
using StreamWatch.Core.Pipeline;
using StreamWatch.Tests.Motion;

namespace StreamWatch.Tests.Pipeline;

/// <summary>Keyframes:MaxPerEvent caps what an alert keeps, above the alert tracker's own default of 12 too.</summary>
public class MaxPerEventTests
{
    private const int W = 192, H = 108;

    /// <summary>A box moving back and forth for 12 s (60 frames at 5 fps) with a keyframe on every frame; the alert's End.</summary>
    private static Alert LongEvent(int maxPerEvent)
    {
        var keyframes = new KeyframeOptions { StrongFps = 5, StrongScore = 0, SpacingGrowth = 0, MaxPerEvent = maxPerEvent };
        var camera = new CameraOptions { Name = "cam", Url = "x", Rules = { new RuleOptions { Name = "any", Type = RuleType.Motion, EndAfterSeconds = 1000 } } };
        var pipeline = new CameraPipeline(camera, new MotionOptions(), new GateOptions(), keyframes, W, H, new AlertIds("cam").Next);
        var bg = new SyntheticScene(8);
        var box = new SyntheticScene(80);
        var frame = new Frame(W, H);
        var output = new List<PipelineEvent>();
        for (var i = 0; i < 65; i++)
        {
            var img = bg.Render(W, H);
            if (i >= 5) SyntheticScene.PasteBox(img, W, box, 20 + 5 * ((i - 5) % 20 < 10 ? (i - 5) % 20 : 20 - (i - 5) % 20), 30, 40, 50);
            img.CopyTo(frame.I420, 0);
            frame.Offset = TimeSpan.FromSeconds(i / 5.0);
            frame.CapturedUtc = DateTimeOffset.UnixEpoch + frame.Offset;
            pipeline.Process(frame, output);
        }
        pipeline.Flush(output);
        return output.OfType<AlertChanged>().Single(a => a.Alert.Phase == AlertPhase.End).Alert;
    }

    [Fact]
    public void An_alert_keeps_up_to_MaxPerEvent_keyframes_above_twelve()
    {
        Assert.Equal(20, LongEvent(20).Keyframes.Count);
    }

    [Fact]
    public void An_alert_keeps_no_more_than_MaxPerEvent()
    {
        Assert.Equal(3, LongEvent(3).Keyframes.Count);
    }
}
