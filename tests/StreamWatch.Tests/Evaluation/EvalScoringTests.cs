using StreamWatch.Evaluation;

namespace StreamWatch.Tests.Evaluation;

public class EvalScoringTests
{
    private const string Labels = """
    {"_format": "ignored",
     "a.mp4": {"events": [[6.0, 20.3, "person"], [22.7, 45.2, "person"]], "quiet": [[0.0, 5.8]]},
     "b.mp4": {"events": [], "quiet": [[0.0, 12.16]], "note": "lights"}}
    """;

    [Fact]
    public void Parses_events_and_quiet_intervals_and_skips_format_keys()
    {
        var l = EvalScoring.ParseLabels(Labels);
        Assert.Equal(new[] { "a.mp4", "b.mp4" }, l.Keys.OrderBy(k => k));
        Assert.Equal((22.7, 45.2, "person"), l["a.mp4"].Events[1]);
        Assert.Empty(l["b.mp4"].Events);
        Assert.Equal((0.0, 12.16), l["b.mp4"].Quiet[0]);
    }

    [Fact]
    public void An_event_is_caught_only_when_the_gate_is_open_within_one_second_of_its_start()
    {
        var l = EvalScoring.ParseLabels(Labels)["a.mp4"];
        // first event: gate opens 0.9 s late (caught); second: opens 1.3 s late (missed)
        var s = EvalScoring.Score("a.mp4", l, new[] { (6.9, 19.0), (24.0, 40.0) }, keyframes: 10, durationS: 50);
        Assert.Equal(1, s.EventsHit);
        Assert.Equal(0.5, s.Recall);
        // a gate already open before the event counts too
        var open = EvalScoring.Score("a.mp4", l, new[] { (5.9, 46.0) }, 4, 50);
        Assert.Equal(2, open.EventsHit);
        Assert.Equal(0, open.QuietOpenings); // opened at 5.9 s, just after the quiet interval [0, 5.8]
    }

    [Fact]
    public void Openings_that_start_inside_quiet_intervals_are_counted_and_reduction_is_against_one_fps()
    {
        var l = EvalScoring.ParseLabels(Labels)["b.mp4"];
        var s = EvalScoring.Score("b.mp4", l, new[] { (4.7, 6.0), (13.0, 14.0) }, keyframes: 3, durationS: 12.16 + 1);
        Assert.Equal(1, s.QuietOpenings);
        Assert.Equal(2, s.Openings);
        Assert.Equal(13, s.FixedSampler);
        Assert.Equal(1 - 3 / 13.0, s.Reduction, 6);
        Assert.Contains("| overall |", EvalScoring.Table(new[] { s }));
    }
}
