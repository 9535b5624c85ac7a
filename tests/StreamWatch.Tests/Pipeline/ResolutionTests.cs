using StreamWatch.Core.Config;
using StreamWatch.Core.Frames;
using StreamWatch.Core.Gate;
using StreamWatch.Core.Keyframes;
using StreamWatch.Core.Motion;
using StreamWatch.Core.Pipeline;
using StreamWatch.Tests.Motion;
using Xunit.Abstractions;

namespace StreamWatch.Tests.Pipeline;

/// <summary>
/// The gate decides on what happens in the scene, not on how many pixels the camera has: one
/// generated scene (textured background, a textured box that stands, walks a third of the width,
/// stands again), rendered in normalised coordinates at the size each camera delivers (ffmpeg
/// scales down to InferenceSize 672 and never up: 320×240, 640×360, 1920×1080 → 672×378, and a
/// 160×120 camera), goes through the real pipeline.
/// </summary>
public class ResolutionTests(ITestOutputHelper output)
{
    private const int Frames = 50, MoveFrom = 10, MoveTo = 25;

    private static (int Opened, int Closed) GateFrames(int w, int h)
    {
        var camera = new CameraOptions { Name = "cam", Url = "x", Rules = { new RuleOptions { Name = "m", Type = RuleType.Motion } } };
        var pipeline = new CameraPipeline(camera, new MotionOptions(), new GateOptions(), new KeyframeOptions(), w, h, (_, _) => "a1");
        var bg = new SyntheticScene(9);
        var box = new SyntheticScene(90);
        var frame = new Frame(w, h);
        frame.I420.AsSpan(w * h).Fill(128);
        var events = new List<PipelineEvent>();
        int opened = -1, closed = -1;
        var s = 320f / w; // texture units per frame pixel: the same picture at every size
        for (var i = 0; i < Frames; i++)
        {
            // The box: 0.1 wide, rows 0.4..0.7 of the height, from x 0.2, moving 0.02 of the width per frame.
            var bx = 0.2f + 0.02f * Math.Clamp(i - MoveFrom, 0, MoveTo - MoveFrom);
            for (var y = 0; y < h; y++)
                for (var x = 0; x < w; x++)
                {
                    float nx = (x + 0.5f) / w, ny = (y + 0.5f) / h, u = (x + 0.5f) * s, v = (y + 0.5f) * s;
                    var inBox = nx >= bx && nx < bx + 0.1f && ny >= 0.4f && ny < 0.7f;
                    frame.I420[y * w + x] = SyntheticScene.Clamp(inBox ? box.At(u - bx * 320, v) : bg.At(u, v));
                }
            frame.Offset = TimeSpan.FromSeconds(0.2 * i);
            frame.CapturedUtc = DateTimeOffset.UnixEpoch.AddSeconds(0.2 * i);
            events.Clear();
            pipeline.Process(frame, events);
            foreach (var e in events.OfType<MotionChanged>())
            {
                if (e.Active && opened < 0) opened = i;
                if (!e.Active && opened >= 0 && closed < 0) closed = i;
            }
        }
        return (opened, closed);
    }

    [Fact]
    public void The_same_scene_opens_and_closes_the_gate_on_the_same_frames_at_every_resolution()
    {
        var reference = GateFrames(640, 360);
        output.WriteLine($"640x360: open {reference.Opened}, close {reference.Closed}");
        Assert.InRange(reference.Opened, MoveFrom, MoveFrom + 2);
        Assert.InRange(reference.Closed, MoveTo, Frames - 1);
        foreach (var (w, h) in new[] { (320, 240), (672, 378), (160, 120) })
        {
            var (o, c) = GateFrames(w, h);
            output.WriteLine($"{w}x{h}: open {o}, close {c}");
            Assert.InRange(o, reference.Opened - 1, reference.Opened + 1);
            Assert.InRange(c, reference.Closed - 1, reference.Closed + 1);
        }
    }
}
