using StreamWatch.Core.Keyframes;
using static StreamWatch.Tests.Keyframes.SelectorFeed;

namespace StreamWatch.Tests.Keyframes;

/// <summary>Events: onset at the steady rate, spacing that grows with the event's age, re-openings that merge.</summary>
public class KeyframeEventTests
{
    private static bool Between(double t, double from, double to) => t >= from - 1e-9 && t < to - 1e-9;

    [Fact]
    public void Onset_window_is_0_4s_for_strong_motion_then_spacing_grows_with_the_event_age()
    {
        var sel = new KeyframeSelector(new KeyframeOptions { MaxPerEvent = 100 }, "cam"); // SpacingGrowth 3
        // Closed 0–1 s, then strong motion for 500 s; the frame at 1.2 s is the onset window's peak.
        var kf = Run(sel, 0, 501, t => t >= 1 - 1e-9, t => Math.Abs(t - 1.2) < 1e-6 ? 20f : 9f);

        // Windows (start, length): (1.0, 0.4) (1.4, max(0.4, 3×0.4)) (2.6, 3×1.6) (7.4, 3×6.4) (26.6, 3×25.6) (103.4, 3×102.4);
        // each emits its peak (the earliest frame on ties). The 410.6 window runs past the end.
        Assert.Equal(new[] { 0.8, 1.2, 1.4, 2.6, 7.4, 26.6, 103.4 }, Offsets(kf));
        Assert.True(kf[0].PreRoll);
        Assert.Single(kf, k => k.PreRoll);
        Assert.Equal(20, kf[1].Score);

        var gaps = Offsets(kf.Skip(1)).Zip(Offsets(kf.Skip(2)), (a, b) => b - a).ToArray();
        for (var i = 1; i < gaps.Length; i++) Assert.True(gaps[i] >= 3 * gaps[i - 1] - 1e-9, $"gap {i}: {gaps[i]} after {gaps[i - 1]}");
    }

    [Fact]
    public void Weak_motion_onset_window_is_2s()
    {
        var sel = new KeyframeSelector(new KeyframeOptions { PreRoll = false }, "cam");
        var kf = Run(sel, 0, 8.2, t => t >= 1 - 1e-9, t => Math.Abs(t - 2.4) < 1e-6 ? 2f : 1f);
        // (1.0, 2 s) emits 2.4 at 3.0; (3.0, max(2, 3×2)) ends at 9.0, after the end.
        Assert.Equal(new[] { 2.4 }, Offsets(kf));
    }

    [Fact]
    public void A_long_event_costs_logarithmically_many_keyframes()
    {
        int Count(double seconds)
        {
            var sel = new KeyframeSelector(new KeyframeOptions { MaxPerEvent = 1000 }, "cam");
            return Run(sel, 0, seconds, t => t >= 1 - 1e-9, _ => 9f).Count;
        }
        var (minute, tenMinutes, hundredMinutes) = (Count(60), Count(600), Count(6000));
        // The steady 2.5/s would give 150, 1500 and 15000; here ten times longer costs at most two more.
        Assert.InRange(minute, 4, 6);
        Assert.InRange(tenMinutes - minute, 1, 2);
        Assert.InRange(hundredMinutes - tenMinutes, 1, 2);
    }

    [Fact]
    public void Closing_drops_the_pending_window_once_the_event_has_keyframes()
    {
        var sel = new KeyframeSelector(new KeyframeOptions(), "cam");
        var kf = Run(sel, 0, 6, 1, 4, _ => 9f);
        // The window started at 2.6 would end at 7.4; the close at 4.0 ends it without a keyframe.
        Assert.Equal(new[] { 0.8, 1.0, 1.4 }, Offsets(kf));
    }

    [Fact]
    public void Reopening_within_the_merge_gap_continues_the_event_budget_and_spacing_without_a_new_pre_roll()
    {
        var sel = new KeyframeSelector(new KeyframeOptions { MaxPerEvent = 4 }, "cam"); // MergeGapSeconds 5
        // Open 1–4 s, closed 4–7 s (3 s ≤ 5 s), open again from 7 s to 100 s.
        var kf = Run(sel, 0, 100, t => Between(t, 1, 4) || Between(t, 7, 100), t => Math.Abs(t - 20) < 1e-6 ? 30f : 9f);

        // The re-opening is no new onset: its first window lasts 3 × 6 s (event age), emitting the
        // 20 s peak at 25 s; that is the 4th keyframe of the event and the cap ends it.
        Assert.Equal(new[] { 0.8, 1.0, 1.4, 20.0 }, Offsets(kf));
        Assert.Single(kf, k => k.PreRoll);
        Assert.Equal(4, sel.EmittedThisEvent);
    }

    [Fact]
    public void Reopening_after_the_merge_gap_starts_a_new_event()
    {
        var sel = new KeyframeSelector(new KeyframeOptions(), "cam");
        var kf = Run(sel, 0, 14, t => Between(t, 1, 4) || Between(t, 10, 14), _ => 9f);
        // 6 s closed > 5 s: pre-roll and the 0.4 s onset window again, budget counted afresh.
        Assert.Equal(new[] { 0.8, 1.0, 1.4, 9.8, 10.0, 10.4 }, Offsets(kf));
        Assert.Equal(new[] { true, false, false, true, false, false }, kf.Select(k => k.PreRoll));
        Assert.Equal(3, sel.EmittedThisEvent);
    }

    [Fact]
    public void A_requested_keyframe_ends_the_window_at_its_steady_length()
    {
        var sel = new KeyframeSelector(new KeyframeOptions(), "cam");
        var kf = Run(sel, 0, 15, t => Between(t, 1, 14.4), t => Math.Abs(t - 9.8) < 1e-6 ? 20f : 9f, before: t =>
        {
            if (Math.Abs(t - 10.2) < 1e-6 || Math.Abs(t - 14.4) < 1e-6) sel.RequestKeyframe();
        });
        // Without requests: 0.8 (pre-roll), 1.0, 1.4, 2.6, then the window from 7.4 s would run to 26.6 s.
        // The request before 10.2 s ends it there with its peak, 9.8 s; the next window (from 10.2 s,
        // spaced 3 × 9.2 s again) is emitted by the second request although the gate closes at 14.4 s.
        Assert.Equal(new[] { 0.8, 1.0, 1.4, 2.6, 9.8, 10.2 }, Offsets(kf));
    }

    [Fact]
    public void A_requested_keyframe_is_granted_at_the_cap()
    {
        var sel = new KeyframeSelector(new KeyframeOptions { MaxPerEvent = 3 }, "cam");
        var kf = Run(sel, 0, 30, t => t >= 1 - 1e-9, t => Math.Abs(t - 20.2) < 1e-6 ? 20f : 9f, before: t =>
        {
            if (Math.Abs(t - 20) < 1e-6) sel.RequestKeyframe();
        });
        // Capped after 0.8 (pre-roll), 1.0, 1.4; the request opens one steady window at 20.0 s whose peak is 20.2 s.
        Assert.Equal(new[] { 0.8, 1.0, 1.4, 20.2 }, Offsets(kf));
        Assert.Equal(4, sel.EmittedThisEvent);
    }
}
