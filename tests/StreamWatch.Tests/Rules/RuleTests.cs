using StreamWatch.Core.Config;
using StreamWatch.Core.Motion;
using StreamWatch.Core.Rules;

namespace StreamWatch.Tests.Rules;

public class RuleTests
{
    private const int W = 4, H = 4;
    // Analysis frame in pixels: 10×10 px per cell.
    private const int PW = 40, PH = 40;
    // Top-left quarter: cells (0,0) (1,0) (0,1) (1,1), pixels x, y < 20.
    private static readonly ZoneOptions[] Zones = { new() { Name = "door", Polygon = "0,0 0.5,0 0.5,0.5 0,0.5" } };

    private static IRule Make(string type, Action<RuleOptions>? tweak = null)
    {
        var t = Enum.Parse<RuleType>(type, ignoreCase: true);
        var o = new RuleOptions { Name = "r1", Type = t, Zone = t == RuleType.Motion ? null : "door" };
        tweak?.Invoke(o);
        return RuleFactory.Create(o, Zones, W, H, PW, PH);
    }

    /// <summary>A grid with the given cells active, each moving by (dx, dy).</summary>
    private static MotionResult Grid(float dx, float dy, params (int C, int R)[] active)
    {
        var m = new MotionResult(W, H, PW, PH);
        for (var r = 0; r < H; r++)
            for (var c = 0; c < W; c++)
                m.Cells[r * W + c] = new FlowCell((c + 0.5f) / W, (r + 0.5f) / H, 0, 0, 0, false);
        foreach (var (c, r) in active)
            m.Cells[r * W + c] = new FlowCell((c + 0.5f) / W, (r + 0.5f) / H, dx, dy, 5, true);
        m.ActiveCells = active.Length;
        return m;
    }

    private static TimeSpan S(double s) => TimeSpan.FromSeconds(s);

    [Fact]
    public void Zone_hits_on_motion_inside_only_while_the_gate_is_open()
    {
        var rule = Make("zone");
        var hit = rule.Evaluate(Grid(1, 0, (1, 1)), true, S(1));
        Assert.Equal(new RuleHit("r1", "door", 0.25f, null), hit);
        Assert.Null(rule.Evaluate(Grid(1, 0, (2, 2), (3, 0)), true, S(1)));
        Assert.Null(rule.Evaluate(Grid(1, 0, (1, 1)), false, S(1)));
    }

    /// <summary>Marks the pixels x0..x1−1, y0..y1−1 as changed.</summary>
    private static MotionResult Changed(MotionResult m, int x0, int x1, int y0, int y1)
    {
        for (var y = y0; y < y1; y++)
            for (var x = x0; x < x1; x++) { m.Changed[y * PW + x] = 1; m.ChangedPixels++; }
        return m;
    }

    [Fact]
    public void Zone_hits_on_changed_pixels_inside_it_before_any_zone_cell_is_active()
    {
        // An object at the zone's right edge: its cell (2,0) is active, outside the zone.
        var rule = Make("zone");
        var entering = Changed(Grid(1, 0, (2, 0)), 16, 24, 0, 10); // 4 px wide inside (x 16..19), 4 outside
        Assert.Equal(new RuleHit("r1", "door", 40f / 400, null), rule.Evaluate(entering, true, S(1)));
        Assert.Null(rule.Evaluate(entering, false, S(1)));                                     // gate closed
        Assert.Null(rule.Evaluate(Changed(Grid(1, 0, (2, 0)), 20, 28, 0, 10), true, S(1)));    // all outside
        // Fewer than an eighth of a cell (12 px) inside: noise-sized, not yet present.
        Assert.Null(rule.Evaluate(Changed(Grid(1, 0, (2, 0)), 19, 24, 0, 10), true, S(1)));   // 10 px inside
        Assert.NotNull(rule.Evaluate(Changed(Grid(1, 0, (2, 0)), 19, 24, 0, 12), true, S(1))); // 12 px inside
    }

    [Fact]
    public void Zone_min_active_fraction_applies_to_changed_pixels_too()
    {
        var rule = Make("zone", o => o.MinActiveFraction = 0.5);
        Assert.Null(rule.Evaluate(Changed(Grid(1, 0, (2, 0)), 0, 19, 0, 10), true, S(0)));    // 190 of 400 px
        Assert.Equal(0.5f, rule.Evaluate(Changed(Grid(1, 0, (2, 0)), 0, 20, 0, 10), true, S(0))?.Strength);
    }

    [Fact]
    public void Direction_needs_active_zone_cells_not_just_changed_pixels()
    {
        var rule = Make("direction", o => { o.AllowedDirection = 0; o.ToleranceDegrees = 45; });
        Assert.Null(rule.Evaluate(Changed(Grid(-2, 0, (2, 0)), 0, 20, 0, 20), true, S(0)));
        Assert.NotNull(rule.Evaluate(Changed(Grid(-2, 0, (1, 0)), 0, 20, 0, 20), true, S(0)));
    }

    [Fact]
    public void Zone_ignores_inactive_cells_however_large_their_flow()
    {
        var rule = Make("zone");
        var m = Grid(0, 0);
        m.Cells[0] = new FlowCell(0.125f, 0.125f, 50, 50, 99, false); // masked / under the noise floor
        Assert.Null(rule.Evaluate(m, true, S(0)));
    }

    [Fact]
    public void Zone_min_active_fraction_needs_that_share_of_the_zone()
    {
        var rule = Make("zone", o => o.MinActiveFraction = 0.5);
        Assert.Null(rule.Evaluate(Grid(1, 0, (0, 0)), true, S(0)));
        Assert.Equal(0.5f, rule.Evaluate(Grid(1, 0, (0, 0), (1, 0)), true, S(0))?.Strength);
    }

    [Fact]
    public void Motion_rule_hits_on_any_gated_motion_over_the_whole_frame()
    {
        var rule = Make("motion");
        Assert.Equal(new RuleHit("r1", null, 2f / 16, null), rule.Evaluate(Grid(1, 0, (3, 3), (2, 3)), true, S(0)));
        Assert.Null(rule.Evaluate(Grid(1, 0, (3, 3)), false, S(0)));
    }

    [Fact]
    public void Loiter_hits_once_motion_persisted_for_seconds_across_short_gaps()
    {
        var rule = Make("loiter", o => o.Seconds = 10);
        var inside = Grid(1, 0, (0, 1));
        var empty = Grid(0, 0);
        RuleHit? last = null;
        double? firstHit = null;
        for (var i = 0; i <= 60; i++)
        {
            var t = Math.Round(i * 0.2, 3);
            var gap = t is > 4.9 and < 6.5; // 1.4 s without motion in the zone
            last = rule.Evaluate(gap ? empty : inside, true, S(t));
            if (last is not null) firstHit ??= t;
        }
        Assert.Equal(10.0, firstHit!.Value, 3);
        Assert.Equal("door", last?.Zone);
        Assert.Equal(TimeSpan.Zero, last?.MotionSince);   // the loitering began at 0 s: its alert looks back to then
    }

    [Fact]
    public void Loiter_resets_after_a_long_gap_or_a_closed_gate()
    {
        var rule = Make("loiter", o => o.Seconds = 10);
        var inside = Grid(1, 0, (0, 1));
        double? firstHit = null;
        for (var i = 0; i <= 100; i++)
        {
            var t = Math.Round(i * 0.2, 3);
            var gateOpen = t is < 5 or > 8; // 3 s closed resets the clock: due again at 8.2 + 10
            if (rule.Evaluate(inside, gateOpen, S(t)) is not null) firstHit ??= t;
        }
        Assert.Equal(18.2, firstHit!.Value, 3);
    }

    [Fact]
    public void Direction_hits_against_the_allowed_direction_only()
    {
        var rule = Make("direction", o => { o.AllowedDirection = 0; o.ToleranceDegrees = 45; });
        Assert.Null(rule.Evaluate(Grid(2, 0, (0, 0)), true, S(0)));               // with: right
        Assert.Null(rule.Evaluate(Grid(2, 1.5f, (0, 0)), true, S(0)));            // 36.9° inside tolerance
        var against = rule.Evaluate(Grid(-2, 0, (0, 0), (1, 1)), true, S(0));
        Assert.Equal(180.0, against!.Value.DirectionDegrees!.Value, 3);
        Assert.Equal(0.5f, against?.Strength);
        Assert.Equal(90.0, rule.Evaluate(Grid(0, 2, (0, 0)), true, S(0))!.Value.DirectionDegrees!.Value, 3);  // down
        Assert.Equal(270.0, rule.Evaluate(Grid(0, -2, (0, 0)), true, S(0))!.Value.DirectionDegrees!.Value, 3); // up
        Assert.Null(rule.Evaluate(Grid(-0.2f, 0, (0, 0)), true, S(0)));           // too slow to judge
        Assert.Null(rule.Evaluate(Grid(-2, 0, (3, 3)), true, S(0)));              // outside the zone
        Assert.Null(rule.Evaluate(Grid(-2, 0, (0, 0)), false, S(0)));             // gate closed
    }

    [Fact]
    public void Direction_wraps_around_360()
    {
        var rule = Make("direction", o => { o.AllowedDirection = 350; o.ToleranceDegrees = 30; });
        var tenDegrees = Grid(MathF.Cos(0.1745f) * 2, MathF.Sin(0.1745f) * 2, (0, 0));
        Assert.Null(rule.Evaluate(tenDegrees, true, S(0)));
        var rule2 = Make("direction", o => { o.AllowedDirection = -90; o.ToleranceDegrees = 30; }); // up
        Assert.Null(rule2.Evaluate(Grid(0, -2, (0, 0)), true, S(0)));
        Assert.NotNull(rule2.Evaluate(Grid(0, 2, (0, 0)), true, S(0)));
    }

    [Fact]
    public void Factory_rejects_unknown_zones_and_zones_smaller_than_a_cell()
    {
        Assert.Throws<ConfigException>(() => RuleFactory.Create(new RuleOptions { Name = "x", Zone = "nope" }, Zones, W, H, PW, PH));
        var tiny = new[] { new ZoneOptions { Name = "dot", Polygon = "0.01,0.01 0.02,0.01 0.02,0.02" } };
        var e = Assert.Throws<ConfigException>(() => RuleFactory.Create(new RuleOptions { Name = "x", Zone = "dot" }, tiny, W, H, PW, PH));
        Assert.Contains("covers no cell", e.Message);
    }

    [Fact]
    public void Evaluate_rejects_a_grid_of_another_size()
    {
        var rule = Make("zone");
        Assert.Throws<InvalidOperationException>(() => rule.Evaluate(new MotionResult(8, 8, PW, PH), true, S(0)));
        Assert.Throws<InvalidOperationException>(() => rule.Evaluate(new MotionResult(W, H, 80, 80), true, S(0)));
    }

    [Fact]
    public void Evaluate_allocates_nothing()
    {
        var rules = new[] { Make("motion"), Make("zone"), Make("loiter", o => o.Seconds = 1), Make("direction", o => o.AllowedDirection = 90) };
        var m = Changed(Grid(2, 0, (0, 0), (1, 1), (3, 3)), 10, 30, 5, 25);
        var hits = 0;
        for (var i = 0; i < 20; i++) foreach (var r in rules) if (r.Evaluate(m, true, S(i * 0.2)) is not null) hits++;
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 20; i < 2000; i++) foreach (var r in rules) if (r.Evaluate(m, true, S(i * 0.2)) is not null) hits++;
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.True(hits > 4 * 1900);
    }
}
