using StreamWatch.Core.Alerts;
using StreamWatch.Core.Config;
using StreamWatch.Core.Frames;
using StreamWatch.Core.Gate;
using StreamWatch.Core.Keyframes;
using StreamWatch.Core.Motion;
using StreamWatch.Core.Pipeline;
using StreamWatch.Tests.Motion;

namespace StreamWatch.Tests.Pipeline;

/// <summary>An alert that opens late in a long event, when keyframes have thinned out, still gets one.</summary>
public class KeyframeRequestTests
{
    private const int W = 320, H = 180, Frames = 5 * 17;

    /// <summary>
    /// A pipeline with a zone rule on the left half and a feeder for frame i (5 fps): still for 2 s,
    /// then a box moves right at 20 px/s from x = 100 (left half) to 240 (right half) and back, so the
    /// gate stays open, the first alert ends while the box is on the right and a second one opens
    /// when it comes back (x &lt; 160 from 13 s), about 11 s into the event.
    /// </summary>
    private static (CameraPipeline, Action<int, List<PipelineEvent>>) Scene(bool verify)
    {
        var rule = new RuleOptions { Name = "enter", Type = RuleType.Zone, Zone = "left", EndAfterSeconds = 1, CooldownSeconds = 0.5 };
        if (verify) { rule.Profile = "security"; rule.RequireVerification = true; }
        var camera = new CameraOptions { Name = "cam", Url = "x", Zones = { new ZoneOptions { Name = "left", Polygon = "0,0 0.5,0 0.5,1 0,1" } }, Rules = { rule } };
        var ids = 0;
        var pipeline = new CameraPipeline(camera, new MotionOptions(), new GateOptions(), new KeyframeOptions(), W, H, (_, _) => $"a{++ids}");
        var bg = new SyntheticScene(8);
        var box = new SyntheticScene(80);
        var frame = new Frame(W, H);
        return (pipeline, (i, output) =>
        {
            var t = 0.2 * i;
            var x = t < 2 ? 100 : 100 + (int)Math.Round(20 * (t - 2 < 7 ? t - 2 : 14 - (t - 2)));
            var img = bg.Render(W, H);
            SyntheticScene.PasteBox(img, W, box, x, 60, 60, 70);
            img.CopyTo(frame.I420, 0);
            frame.Offset = TimeSpan.FromSeconds(t);
            frame.CapturedUtc = DateTimeOffset.UnixEpoch.AddSeconds(t);
            pipeline.Process(frame, output);
        });
    }

    [Fact]
    public void An_alert_opening_late_in_an_event_gets_a_keyframe_at_once()
    {
        var (pipeline, feed) = Scene(verify: false);
        var output = new List<PipelineEvent>();
        var frameOf = new List<int>(); // output index → frame number

        for (var i = 0; i < Frames; i++)
        {
            feed(i, output);
            while (frameOf.Count < output.Count) frameOf.Add(i);
        }

        Assert.Single(output, e => e is MotionChanged { Active: true });
        Assert.DoesNotContain(output, e => e is MotionChanged { Active: false });
        var news = output.Select((e, i) => (e, i)).Where(x => x.e is AlertChanged { Alert.Phase: AlertPhase.New }).ToList();
        Assert.Equal(2, news.Count);
        var second = (AlertChanged)news[1].e;
        Assert.True(second.Offset.TotalSeconds > 8, $"second alert at {second.Offset}");
        Assert.Empty(second.Alert.Keyframes); // nothing recent to adopt: the event's spacing is long by now

        // Without the request no keyframe would come before the window from about 8.4 s ends (27 s or later).
        var next = output.Select((e, i) => (e, i)).Skip(news[1].i).First(x => x.e is KeyframeSelected);
        Assert.InRange(frameOf[next.i] - frameOf[news[1].i], 0, 3);
        // ...and the alert's update carrying it (its snapshot) goes out on that frame, not 2 s later.
        var update = output.Select((e, i) => (e, i)).Skip(news[1].i + 1)
            .First(x => x.e is AlertChanged { Alert.Phase: AlertPhase.Update } u && u.Alert.Id == second.Alert.Id);
        Assert.Equal(frameOf[next.i], frameOf[update.i]);
        Assert.NotEmpty(((AlertChanged)update.e).Alert.Keyframes);
    }

    [Fact]
    public void A_held_alert_of_a_verification_rule_opening_late_in_an_event_gets_a_keyframe_for_the_model()
    {
        var (pipeline, feed) = Scene(verify: true);
        var output = new List<PipelineEvent>();
        int? heldAt = null, keyedAt = null;
        for (var i = 0; i < Frames && keyedAt is null; i++)
        {
            feed(i, output);
            var second = pipeline.OpenAlerts.FirstOrDefault(a => a.Id == "a2");
            if (second != null && heldAt is null)
            {
                heldAt = i;
                Assert.Empty(second.Keyframes); // nothing recent to adopt
            }
            if (second is { Keyframes.Count: > 0 }) keyedAt = i;
        }
        Assert.DoesNotContain(output, e => e is AlertChanged); // held: nothing published without a verdict
        Assert.NotNull(heldAt);
        Assert.True(heldAt > 40, $"second incident opened at frame {heldAt}");
        Assert.NotNull(keyedAt);
        Assert.InRange(keyedAt!.Value - heldAt!.Value, 0, 3);
    }
}
