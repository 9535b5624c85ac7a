using StreamWatch.Core.Frames;
using StreamWatch.Core.Gate;
using StreamWatch.Core.Keyframes;
using static StreamWatch.Tests.Keyframes.SelectorFeed;

namespace StreamWatch.Tests.Keyframes;

public class KeyframeSelectorTests
{
    [Fact]
    public void Without_spacing_growth_strong_motion_emits_the_peak_of_each_0_4s_window()
    {
        var sel = new KeyframeSelector(new KeyframeOptions { StrongScore = 3, PreRoll = false, MaxPerEvent = 100, SpacingGrowth = 0 }, "cam");
        // Gate open 0..4 s; the second frame of each window (x.2, x.6) is the peak.
        var kf = Run(sel, 0, 4.4, 0, 4.0, t => Math.Round(t * 5) % 2 == 1 ? 9f : 5f);

        // The window pending when the gate closes at 4.0 (peak 3.8) is dropped: the event has keyframes.
        Assert.Equal(new[] { 0.2, 0.6, 1.0, 1.4, 1.8, 2.2, 2.6, 3.0, 3.4 }, Offsets(kf));
        Assert.All(kf, k => Assert.Equal(9, k.Score));
        Assert.All(kf, k => Assert.False(k.PreRoll));
        Assert.All(kf, k => Assert.Equal("cam", k.Camera));
        var first = kf[0];
        Assert.Equal(T0.AddSeconds(0.2), first.CapturedUtc);
        Assert.Equal((4, 4, 24), (first.Width, first.Height, first.I420.Length));
        Assert.All(first.I420, b => Assert.Equal(1, b)); // pixels of frame #1 (t = 0.2)
    }

    [Fact]
    public void Without_spacing_growth_weak_motion_emits_one_keyframe_per_2s_window()
    {
        var sel = new KeyframeSelector(new KeyframeOptions { StrongScore = 3, PreRoll = false, MaxPerEvent = 100, SpacingGrowth = 0 }, "cam");
        var kf = Run(sel, 0, 10.4, 0, 10.0, t => Math.Abs(t % 2 - 1.0) < 1e-6 ? 2f : 1f);
        Assert.Equal(new[] { 1.0, 3.0, 5.0, 7.0 }, Offsets(kf)); // the window cut by the close (peak 9.0) is dropped
    }

    [Fact]
    public void A_strong_frame_shortens_a_weak_window()
    {
        var sel = new KeyframeSelector(new KeyframeOptions { StrongScore = 3, PreRoll = false }, "cam");
        var kf = Run(sel, 0, 1.0, 0, 10, t => t >= 0.6 - 1e-9 ? 8f : 1f);
        // Window from 0: weak until 0.6 (strong peak) → 0.4 s window ends at the 0.8 frame.
        Assert.Equal(new[] { 0.6 }, Offsets(kf));
    }

    [Fact]
    public void Pre_roll_is_the_last_closed_frame_and_is_emitted_once_per_event()
    {
        // MergeGapSeconds = 0: the second opening (0.4 s after the close) starts a new event.
        var sel = new KeyframeSelector(new KeyframeOptions { StrongScore = 3, MaxPerEvent = 100, MergeGapSeconds = 0 }, "cam");
        var output = new List<Keyframe>();
        sel.Offer(MakeFrame(0.0, 11), 0, false, GateTransition.None, output);
        sel.Offer(MakeFrame(0.2, 22), 0, false, GateTransition.None, output);
        Assert.Empty(output);
        sel.Offer(MakeFrame(0.4, 33), 9, true, GateTransition.Opened, output);

        var pre = Assert.Single(output);
        Assert.True(pre.PreRoll);
        Assert.Equal(TimeSpan.FromSeconds(0.2), pre.Offset);
        Assert.Equal(T0.AddSeconds(0.2), pre.CapturedUtc);
        Assert.All(pre.I420, b => Assert.Equal(22, b));

        for (var t = 0.6; t < 3; t += 0.2) sel.Offer(MakeFrame(t, 44), 9, true, GateTransition.None, output);
        Assert.Single(output, k => k.PreRoll);

        sel.Offer(MakeFrame(3.0, 55), 0, false, GateTransition.Closed, output);
        sel.Offer(MakeFrame(3.2, 66), 0, false, GateTransition.None, output);
        var before = output.Count;
        sel.Offer(MakeFrame(3.4, 77), 9, true, GateTransition.Opened, output);
        Assert.Equal(before + 1, output.Count);
        Assert.True(output[^1].PreRoll);
        Assert.All(output[^1].I420, b => Assert.Equal(66, b));
    }

    [Fact]
    public void Keyframe_owns_its_pixels()
    {
        var sel = new KeyframeSelector(new KeyframeOptions(), "cam");
        var output = new List<Keyframe>();
        var frame = MakeFrame(0, 5);
        sel.Offer(frame, 0, false, GateTransition.None, output);
        frame.I420.AsSpan().Fill(200);
        frame.Offset = TimeSpan.FromSeconds(0.2);
        sel.Offer(frame, 9, true, GateTransition.Opened, output);
        frame.I420.AsSpan().Fill(100);
        Assert.All(Assert.Single(output).I420, b => Assert.Equal(5, b));
    }

    [Fact]
    public void Closing_emits_the_pending_window_of_an_event_without_keyframes()
    {
        var sel = new KeyframeSelector(new KeyframeOptions { StrongScore = 3, PreRoll = false }, "cam");
        var kf = Run(sel, 0, 1.4, 0, 1.0, t => t is > 0.5 and < 0.7 ? 2f : 1f); // weak, one 2 s window cut at 1.0
        Assert.Equal(new[] { 0.6 }, Offsets(kf));
    }

    [Fact]
    public void Caps_keyframes_per_event_and_resets_on_the_next()
    {
        var sel = new KeyframeSelector(new KeyframeOptions { StrongScore = 3, MaxPerEvent = 3 }, "cam");
        var kf = Run(sel, 0, 20, 1, 10, _ => 9f);
        Assert.Equal(3, kf.Count);
        Assert.True(kf[0].PreRoll);
        Assert.Equal(3, sel.EmittedThisEvent);

        var more = Run(sel, 20, 25, 21, 30, _ => 9f);
        Assert.Equal(3, more.Count);
        Assert.True(more[0].PreRoll);
    }

    [Fact]
    public void No_allocation_per_frame_while_closed_or_inside_a_window()
    {
        var sel = new KeyframeSelector(new KeyframeOptions { StrongScore = 3, WeakFps = 0.05, StrongFps = 0.05, PreRoll = true }, "cam");
        var output = new List<Keyframe>(16);
        var frames = Enumerable.Range(0, 4).Select(i => MakeFrame(i, (byte)i)).ToArray();
        for (var i = 0; i < 50; i++) sel.Offer(frames[i % 4], 0, false, GateTransition.None, output); // warm-up

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 5000; i++)
        {
            frames[i % 4].Offset = TimeSpan.FromMilliseconds(200 * i);
            sel.Offer(frames[i % 4], 0.5f, false, GateTransition.None, output);
        }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);

        // Open: the pre-roll is emitted, then one 20 s window; frames inside it allocate nothing until it ends.
        sel.Offer(frames[0], 1f, true, GateTransition.Opened, output);
        Assert.True(Assert.Single(output).PreRoll);
        output.Clear();
        for (var i = 0; i < 50; i++) { frames[i % 4].Offset = TimeSpan.FromSeconds(1000 + i * 0.2); sel.Offer(frames[i % 4], i, true, GateTransition.None, output); }
        before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 50; i < 90; i++)
        {
            frames[i % 4].Offset = TimeSpan.FromSeconds(1000 + i * 0.2);
            sel.Offer(frames[i % 4], i % 7, true, GateTransition.None, output);
        }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Empty(output);
    }
}
