using StreamWatch.Core.Alerts;
using StreamWatch.Core.Config;
using StreamWatch.Core.Frames;
using StreamWatch.Core.Keyframes;
using StreamWatch.Core.Rules;
using StreamWatch.Core.Verdicts;

namespace StreamWatch.Tests.Alerts;

public class AlertTrackerTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 22, 4, 0, 0, TimeSpan.Zero);
    private static readonly Keyframe[] None = Array.Empty<Keyframe>();

    private sealed class Harness
    {
        private int _ids;
        public readonly AlertTracker Tracker;
        public readonly List<Alert> Out = new();

        public Harness(int maxKeyframes = 12, params RuleOptions[] rules) =>
            Tracker = new AlertTracker("cam1", rules, (_, _) => $"a{++_ids}", maxKeyframes);

        /// <summary>One frame at <paramref name="t"/> seconds; returns the messages it produced.</summary>
        public List<Alert> Frame(double t, RuleHit[]? hits = null, params Keyframe[] keyframes)
        {
            var before = Out.Count;
            Tracker.Update(hits ?? Array.Empty<RuleHit>(), S(t), T0.AddSeconds(t), keyframes, Out);
            return Out.Skip(before).ToList();
        }

        /// <summary>Frames every 0.2 s on [from, to), each with a hit of <paramref name="rule"/>.</summary>
        public List<Alert> Hits(string rule, double from, double to, float strength = 0.1f)
        {
            var all = new List<Alert>();
            for (var i = 0; from + i * 0.2 < to - 1e-9; i++)
                all.AddRange(Frame(Math.Round(from + i * 0.2, 3), new[] { new RuleHit(rule, "door", strength, null) }));
            return all;
        }
    }

    private static TimeSpan S(double s) => TimeSpan.FromSeconds(Math.Round(s, 3));
    private static RuleOptions Rule(string name = "door-zone", bool verify = false) => new()
    {
        Name = name, Type = RuleType.Zone, Zone = "door", Severity = Severity.Warning, EndAfterSeconds = 5, CooldownSeconds = 30, RequireVerification = verify,
    };
    private static RuleHit[] Hit(string rule = "door-zone", float strength = 0.1f) => new[] { new RuleHit(rule, "door", strength, null) };
    private static Keyframe K(double t, bool preRoll = false) =>
        new("cam1", T0.AddSeconds(t), S(t), 5, preRoll, 2, 2, new byte[6]);
    private static Verdict V(bool anomaly, string label = "person") =>
        new(label, 0.9, "critical", "a person at the door", anomaly, null, null, "qwen3-vl-2b", "{}", 1234);

    [Fact]
    public void First_hit_opens_an_alert_and_repeats_are_deduped()
    {
        var h = new Harness(12, Rule());
        var msgs = h.Hits("door-zone", 1.2, 4);
        var a = Assert.Single(msgs);
        Assert.Equal((AlertPhase.New, "a1", "cam1", "door-zone", "door", "warning"), (a.Phase, a.Id, a.Camera, a.Rule, a.Zone, a.Severity));
        Assert.Equal(T0.AddSeconds(1.2), a.Start);
        Assert.Equal(S(1.2), a.StartOffset);
        Assert.Null(a.End);
        Assert.Null(a.Label);
        Assert.Single(h.Tracker.Open);
    }

    [Fact]
    public void Update_when_keyframes_are_attached_at_most_every_2s()
    {
        var h = new Harness(100, Rule());
        h.Frame(0, Hit(), new[] { K(0) });
        var msgs = new List<Alert>();
        for (var i = 1; i <= 50; i++) // 10 s of frames, a keyframe on every other one
        {
            var t = i * 0.2;
            msgs.AddRange(h.Frame(t, Hit(), i % 2 == 0 ? new[] { K(t) } : None));
        }
        Assert.All(msgs, m => Assert.Equal(AlertPhase.Update, m.Phase));
        Assert.Equal(new[] { 2.0, 4.0, 6.0, 8.0, 10.0 }, msgs.Select(m => Math.Round(m.Offset.TotalSeconds, 3)));
        Assert.Equal(6, msgs[0].Keyframes.Count);   // 0, 0.4, 0.8, … 2.0
        Assert.Equal(26, msgs[^1].Keyframes.Count);
    }

    [Fact]
    public void An_alert_published_without_a_keyframe_sends_its_first_one_at_once()
    {
        var h = new Harness(100, Rule());
        var first = Assert.Single(h.Frame(0, Hit()));
        Assert.Equal((AlertPhase.New, 0), (first.Phase, first.Keyframes.Count));
        Assert.Empty(h.Frame(0.2, Hit()));
        var up = Assert.Single(h.Frame(0.4, Hit(), new[] { K(0.4) })); // not rate limited to 2 s
        Assert.Equal((AlertPhase.Update, 1), (up.Phase, up.Keyframes.Count));
        Assert.Empty(h.Frame(0.8, Hit(), new[] { K(0.8) }));           // later ones are
    }

    [Fact]
    public void Update_when_strength_rises_notably_only()
    {
        var h = new Harness(12, Rule());
        h.Frame(0, Hit(strength: 0.2f));
        Assert.Empty(h.Frame(3, Hit(strength: 0.25f)));
        var up = Assert.Single(h.Frame(4, Hit(strength: 0.35f)));
        Assert.Equal((AlertPhase.Update, 0.35f), (up.Phase, up.Strength));
        Assert.Empty(h.Frame(4.5, Hit(strength: 0.9f)));           // rate limited…
        Assert.Equal(0.9f, Assert.Single(h.Frame(6.2)).Strength); // …and reported when allowed
    }

    [Fact]
    public void Ends_after_quiet_period_then_cooldown_blocks_new_incidents()
    {
        var h = new Harness(12, Rule());
        h.Hits("door-zone", 1, 3.2);                       // last hit at 3.0
        Assert.Empty(h.Frame(7.8));
        var end = Assert.Single(h.Frame(8.0));
        Assert.Equal((AlertPhase.End, "a1"), (end.Phase, end.Id));
        Assert.Equal(T0.AddSeconds(3.0), end.End);
        Assert.Equal(S(8.0), end.Offset);
        Assert.Empty(h.Tracker.Open);

        Assert.Empty(h.Hits("door-zone", 10, 37.8));      // cooldown until 38.0
        Assert.Empty(h.Tracker.Open);
        var again = Assert.Single(h.Hits("door-zone", 38, 39));
        Assert.Equal((AlertPhase.New, "a2"), (again.Phase, again.Id));
        Assert.Equal(S(38), again.StartOffset);
    }

    [Fact]
    public void Rules_are_tracked_independently()
    {
        var h = new Harness(12, Rule("a"), Rule("b"));
        var msgs = h.Frame(0, new[] { new RuleHit("a", "door", 0.1f, null), new RuleHit("b", "door", 0.1f, null) });
        Assert.Equal(new[] { "a", "b" }, msgs.Select(m => m.Rule));
        Assert.Equal(2, msgs.Select(m => m.Id).Distinct().Count());
        Assert.Throws<ArgumentException>(() => h.Frame(0.2, Hit("unknown")));
    }

    [Fact]
    public void Verification_holds_new_until_an_anomaly_verdict()
    {
        var h = new Harness(12, Rule(verify: true));
        Assert.Empty(h.Hits("door-zone", 0, 2, strength: 0.3f));
        var held = Assert.Single(h.Tracker.Open);
        Assert.Equal("a1", held.Id);

        Assert.True(h.Tracker.ApplyVerdict("a1", V(anomaly: false, label: "cat"), S(2), T0.AddSeconds(2), h.Out));
        Assert.Empty(h.Out);
        Assert.True(h.Tracker.ApplyVerdict("a1", V(anomaly: true), S(2.5), T0.AddSeconds(2.5), h.Out));
        var n = Assert.Single(h.Out);
        Assert.Equal((AlertPhase.New, "person", 0.9, "critical", "qwen3-vl-2b", 1234.0),
            (n.Phase, n.Label, n.Confidence, n.Severity, n.Model, n.LatencyMs));
        Assert.Equal("a person at the door", n.Description);
        Assert.Equal((S(0), S(2.5)), (n.StartOffset, n.Offset));

        var end = Assert.Single(h.Frame(7));
        Assert.Equal((AlertPhase.End, "person"), (end.Phase, end.Label));
    }

    [Fact]
    public void Incident_judged_no_anomaly_publishes_nothing_and_starts_no_cooldown()
    {
        var h = new Harness(12, Rule(verify: true));
        h.Hits("door-zone", 0, 2);
        Assert.True(h.Tracker.ApplyVerdict("a1", V(false, "cat"), S(1), T0.AddSeconds(1), h.Out));
        Assert.Empty(h.Frame(7));
        Assert.Empty(h.Tracker.Open);
        Assert.False(h.Tracker.ApplyVerdict("a1", V(true), S(7.1), T0.AddSeconds(7.1), h.Out)); // late verdict
        Assert.Empty(h.Out);
        Assert.Empty(h.Frame(30));                                   // no pending wait for a judged incident
        h.Frame(31, Hit());
        Assert.Equal("a2", Assert.Single(h.Tracker.Open).Id);
    }

    [Fact]
    public void Held_incident_ending_before_its_verdict_is_published_new_then_end_once_confirmed()
    {
        var h = new Harness(12, Rule(verify: true));
        h.Hits("door-zone", 0, 2);
        Assert.Empty(h.Frame(7));                                    // ended (last hit 1.8 s): pending, not open
        Assert.Empty(h.Tracker.Open);
        Assert.Empty(h.Frame(8, Hit(), K(8)));                       // hits neither attach to it nor are blocked: a2 opens, held
        Assert.Equal("a2", Assert.Single(h.Tracker.Open).Id);

        Assert.True(h.Tracker.ApplyVerdict("a1", V(true), S(9), T0.AddSeconds(9), h.Out));
        Assert.Equal([(AlertPhase.New, "a1"), (AlertPhase.End, "a1")], h.Out.Select(a => (a.Phase, a.Id)));
        Assert.All(h.Out, a => Assert.Equal(("person", false), (a.Label, a.Unverified)));
        Assert.Equal(T0.AddSeconds(1.8), h.Out[1].End);
        Assert.Empty(h.Out[1].Keyframes);
        Assert.Equal(S(9), h.Out[1].Offset);
        Assert.False(h.Tracker.ApplyVerdict("a1", V(true), S(9.5), T0.AddSeconds(9.5), h.Out)); // no longer pending
    }

    [Fact]
    public void A_late_confirmed_alert_starts_the_cooldown_from_its_end()
    {
        var h = new Harness(12, Rule(verify: true));
        h.Hits("door-zone", 0, 2);
        h.Frame(7);
        h.Tracker.ApplyVerdict("a1", V(true), S(9), T0.AddSeconds(9), h.Out);
        h.Frame(36.8, Hit());                                        // cooldown 30 s from the end at 7 s
        Assert.Empty(h.Tracker.Open);
        h.Frame(37, Hit());
        Assert.Equal("a2", Assert.Single(h.Tracker.Open).Id);
    }

    [Fact]
    public void Held_incident_ending_then_judged_no_anomaly_publishes_nothing()
    {
        var h = new Harness(12, Rule(verify: true));
        h.Hits("door-zone", 0, 2);
        h.Frame(7);
        Assert.True(h.Tracker.ApplyVerdict("a1", V(false, "cat"), S(8), T0.AddSeconds(8), h.Out));
        Assert.Empty(h.Frame(40));
        Assert.False(h.Tracker.VerdictFailed("a1", S(41), T0.AddSeconds(41), h.Out));
        h.Tracker.Flush(S(42), T0.AddSeconds(42), h.Out);
        Assert.Empty(h.Out);
    }

    [Fact]
    public void Held_incident_the_model_gives_up_on_after_its_end_is_published_unverified()
    {
        var h = new Harness(12, Rule(verify: true));
        h.Hits("door-zone", 0, 2);
        h.Frame(7);
        Assert.True(h.Tracker.VerdictFailed("a1", S(8), T0.AddSeconds(8), h.Out));
        Assert.Equal([AlertPhase.New, AlertPhase.End], h.Out.Select(a => a.Phase));
        Assert.All(h.Out, a => Assert.Equal(("a1", true, null, "warning"), (a.Id, a.Unverified, a.Label, a.Severity)));
        Assert.Equal(T0.AddSeconds(1.8), h.Out[1].End);
        Assert.False(h.Tracker.ApplyVerdict("a1", V(true), S(9), T0.AddSeconds(9), h.Out)); // too late
        Assert.Equal(2, h.Out.Count);
    }

    [Fact]
    public void Held_incident_with_no_verdict_within_the_wait_after_its_end_is_published_unverified()
    {
        var h = new Harness(12, Rule(verify: true));
        h.Hits("door-zone", 0, 2);
        h.Frame(7);
        Assert.Empty(h.Frame(26.8));
        var late = h.Frame(27);                                      // 7 s + VerdictWait (20 s)
        Assert.Equal([AlertPhase.New, AlertPhase.End], late.Select(a => a.Phase));
        Assert.All(late, a => Assert.True(a.Unverified));
        Assert.Equal(S(27), late[1].Offset);
    }

    [Fact]
    public void Held_incident_whose_request_failed_while_open_is_published_unverified_at_its_end()
    {
        var h = new Harness(12, Rule("failed", verify: true), Rule("retried", verify: true));
        h.Frame(0, [new RuleHit("failed", "door", 0.1f, null), new RuleHit("retried", "door", 0.1f, null)]);
        Assert.True(h.Tracker.VerdictFailed("a1", S(1), T0.AddSeconds(1), h.Out));
        Assert.True(h.Tracker.VerdictFailed("a2", S(1), T0.AddSeconds(1), h.Out));
        Assert.Empty(h.Out);                                         // still open: a later request may succeed
        Assert.True(h.Tracker.ApplyVerdict("a2", V(true), S(2), T0.AddSeconds(2), h.Out));
        var n = Assert.Single(h.Out);
        Assert.Equal(("a2", AlertPhase.New, false), (n.Id, n.Phase, n.Unverified));

        var ends = h.Frame(5);
        Assert.Equal([("a1", AlertPhase.New, true), ("a1", AlertPhase.End, true), ("a2", AlertPhase.End, false)],
            ends.Select(a => (a.Id, a.Phase, a.Unverified)));
    }

    [Fact]
    public void Verdict_on_a_published_alert_is_an_update()
    {
        var h = new Harness(12, Rule());
        h.Frame(0, Hit());
        Assert.True(h.Tracker.ApplyVerdict("a1", V(false, "delivery"), S(0.5), T0.AddSeconds(0.5), h.Out));
        var u = h.Out[^1];
        Assert.Equal((AlertPhase.Update, "delivery", "critical", S(0.5)), (u.Phase, u.Label, u.Severity, u.Offset));
    }

    [Fact]
    public void Flush_ends_open_alerts_publishes_unjudged_held_ones_unverified_and_drops_judged_ones()
    {
        var h = new Harness(12, Rule("shown"), Rule("held", verify: true), Rule("judged", verify: true), Rule("ended", verify: true));
        h.Frame(0, [new RuleHit("ended", "door", 0.1f, null)]);
        h.Frame(6);                                                  // "ended" (a1) is pending
        h.Frame(6.2, [new("shown", "door", 0.1f, null), new("held", "door", 0.1f, null), new("judged", "door", 0.1f, null)]);
        h.Tracker.ApplyVerdict("a4", V(false, "cat"), S(6.4), T0.AddSeconds(6.4), h.Out);
        var flushed = new List<Alert>();
        h.Tracker.Flush(S(7), T0.AddSeconds(7), flushed);
        Assert.Equal([("shown", AlertPhase.End, false), ("ended", AlertPhase.New, true), ("ended", AlertPhase.End, true),
            ("held", AlertPhase.New, true), ("held", AlertPhase.End, true)], flushed.Select(a => (a.Rule, a.Phase, a.Unverified)));
        Assert.Equal(T0.AddSeconds(6.2), flushed[0].End);
        Assert.Equal(T0, flushed[2].End);
        Assert.Empty(h.Tracker.Open);
    }

    [Fact]
    public void Keyframes_are_bounded_adopted_from_recent_history_and_copied_per_message()
    {
        var h = new Harness(3, Rule());
        h.Frame(0, null, K(0, preRoll: true));       // pre-roll before the zone is entered
        var n = Assert.Single(h.Frame(1, Hit(), K(1)));
        Assert.Equal(new[] { 0.0, 1.0 }, n.Keyframes.Select(k => k.Offset.TotalSeconds));
        Assert.Equal(T0, n.MotionOnsetUtc);

        h.Frame(1.5, Hit(), K(1.5), K(1.6));
        Assert.Equal(2, n.Keyframes.Count);          // the published message did not change
        var u = Assert.Single(h.Frame(3, Hit()));
        Assert.Equal(new[] { 0.0, 1.0, 1.5 }, u.Keyframes.Select(k => k.Offset.TotalSeconds));
    }

    [Fact]
    public void Only_recent_keyframes_are_adopted_but_a_hit_that_says_its_motion_began_earlier_looks_back_to_then()
    {
        var loiter = new RuleOptions { Name = "linger", Type = RuleType.Loiter, Zone = "door", Seconds = 10, EndAfterSeconds = 5 };
        var h = new Harness(12, Rule(), loiter);
        h.Frame(0, null, K(0, preRoll: true));
        var msgs = h.Frame(10, new[] { new RuleHit("door-zone", "door", 0.1f, null), new RuleHit("linger", "door", 0.1f, null, TimeSpan.FromSeconds(0.2)) });
        Assert.Empty(msgs.Single(m => m.Rule == "door-zone").Keyframes);
        Assert.Null(msgs.Single(m => m.Rule == "door-zone").MotionOnsetUtc);
        Assert.Equal(T0, msgs.Single(m => m.Rule == "linger").MotionOnsetUtc);
    }

    [Fact]
    public void Times_are_utc_iso_8601_and_offsets_hh_mm_ss_sss()
    {
        var h = new Harness(12, Rule());
        var local = new DateTimeOffset(2026, 11, 22, 6, 0, 1, 200, TimeSpan.FromHours(2));
        h.Tracker.Update(Hit(), new TimeSpan(0, 1, 2, 3, 456), local, None, h.Out);
        var a = Assert.Single(h.Out);
        Assert.Equal(TimeSpan.Zero, a.Start.Offset);
        Assert.Equal("2026-11-22T04:00:01.200Z", Timecode.Utc(a.Start));
        Assert.Equal("01:02:03.456", Timecode.Offset(a.StartOffset));
    }

    [Fact]
    public void A_frame_that_emits_nothing_allocates_nothing()
    {
        var h = new Harness(12, Rule());
        var hits = Hit(strength: 0.3f);
        h.Frame(0, hits);
        for (var i = 1; i < 20; i++) h.Tracker.Update(hits, TimeSpan.FromMilliseconds(200 * i), T0, None, h.Out);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 20; i < 5000; i++) h.Tracker.Update(hits, TimeSpan.FromMilliseconds(200 * i), T0, None, h.Out);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Single(h.Out); // only the New
    }

    [Fact]
    public void KeyframesGained_marks_the_frames_that_give_an_open_alert_keyframes_it_did_not_have()
    {
        var h = new Harness(100, Rule(verify: true));
        h.Frame(0, null, K(0, preRoll: true));
        Assert.False(h.Tracker.KeyframesGained);          // a keyframe, but no alert to judge
        h.Frame(0.2, Hit());                              // a held alert opens and adopts the recent keyframe
        Assert.True(h.Tracker.KeyframesGained);           // though no new keyframe came on this frame
        h.Frame(0.4, Hit());
        Assert.False(h.Tracker.KeyframesGained);
        h.Frame(0.6, Hit(), K(0.6));
        Assert.True(h.Tracker.KeyframesGained);
    }
}
