using Microsoft.Extensions.Logging.Abstractions;
using StreamWatch.Core.Alerts;
using StreamWatch.Core.Config;
using StreamWatch.Core.Frames;
using StreamWatch.Core.Gate;
using StreamWatch.Core.Keyframes;
using StreamWatch.Core.Motion;
using StreamWatch.Core.Pipeline;
using StreamWatch.Tests.Motion;

namespace StreamWatch.Tests.Pipeline;

/// <summary>The camera loop shared by the daemon and replay: stream time goes on across restarts; another frame size flushes.</summary>
public class CameraLoopTests
{
    private static readonly SyntheticScene Bg = new(8), Box = new(80);

    private static CameraLoop Loop() => new(
        new CameraOptions { Name = "cam", Url = "x", Rules = { new RuleOptions { Name = "any", Type = RuleType.Motion, EndAfterSeconds = 1000, CooldownSeconds = 0 } } },
        new MotionOptions(), new GateOptions(), new KeyframeOptions(), NullLogger.Instance);

    /// <summary>Frame i of an ffmpeg run (offsets from 0): still for 5 frames, then a box moving 5 px a frame.</summary>
    private static Frame Moving(int w, int h, int i)
    {
        var frame = new Frame(w, h);
        var img = Bg.Render(w, h);
        if (i >= 5) SyntheticScene.PasteBox(img, w, Box, 10 + 5 * (i - 5), 20, 30, 40);
        img.CopyTo(frame.I420, 0);
        frame.Offset = TimeSpan.FromSeconds(i / 5.0);
        frame.CapturedUtc = DateTimeOffset.UnixEpoch + frame.Offset;
        return frame;
    }

    [Fact]
    public void A_restarted_stream_of_another_size_ends_the_open_alert_and_its_time_goes_on()
    {
        var loop = Loop();
        var output = new List<PipelineEvent>();
        for (var i = 0; i < 20; i++) loop.Frame(Moving(192, 108, i), output);
        var first = Assert.Single(output.OfType<AlertChanged>(), a => a.Alert.Phase == AlertPhase.New).Alert;
        Assert.Equal("cam-any-19700101T000001Z-1", first.Id);
        var before = loop.LastOffset;

        loop.Offline();
        output.Clear();
        var restarted = Moving(160, 120, 0);             // ffmpeg counts from 0 again, 4:3 now
        loop.Frame(restarted, output);
        Assert.Equal(before + TimeSpan.FromSeconds(0.2), restarted.Offset);
        Assert.Contains(output, e => e is AlertChanged { Alert.Phase: AlertPhase.End } a && a.Alert.Id == first.Id);

        for (var i = 1; i < 20; i++) loop.Frame(Moving(160, 120, i), output);
        var second = Assert.Single(output.OfType<AlertChanged>(), a => a.Alert.Phase == AlertPhase.New).Alert;
        Assert.EndsWith("-2", second.Id);                // one id factory per camera, across pipelines
        Assert.True(second.StartOffset > before);
    }
}
