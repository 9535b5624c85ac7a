using StreamWatch.Core.Config;
using StreamWatch.Core.Gate;
using StreamWatch.Core.Geometry;
using StreamWatch.Core.Motion;

namespace StreamWatch.Tests.Motion;

public class MotionAnalyzerTests
{
    private const int W = 320, H = 180;
    private static readonly GateOptions Gate = new();

    private static MotionAnalyzer NewAnalyzer(params Polygon[] masks) => new(new MotionOptions(), W, H, masks);

    /// <summary>Runs frames through analyzer and gate at 5 fps; returns the results' scores and whether the gate ever opened.</summary>
    private static (List<float> Scores, bool Opened, MotionResult Last) Run(MotionAnalyzer a, IEnumerable<byte[]> frames)
    {
        var gate = new MotionGate(Gate);
        var scores = new List<float>();
        var opened = false;
        MotionResult last = null!;
        var i = 0;
        foreach (var f in frames)
        {
            last = a.Analyze(f);
            scores.Add(last.Score);
            opened |= gate.Update(last.Score, TimeSpan.FromSeconds(0.2 * i++)) == GateTransition.Opened;
        }
        return (scores, opened, last);
    }

    private static IEnumerable<byte[]> MovingBox(SyntheticScene bg, SyntheticScene box, int frames, int step, int x0 = 40)
    {
        for (var f = 0; f < frames; f++)
        {
            var img = bg.Render(W, H);
            SyntheticScene.PasteBox(img, W, box, x0 + step * f, 60, 60, 70);
            yield return img;
        }
    }

    [Fact]
    public void First_frame_scores_zero_and_reset_forgets_the_previous_frame()
    {
        var scene = new SyntheticScene(1);
        var a = NewAnalyzer();
        Assert.Equal(0, a.Analyze(scene.Render(W, H)).Score);
        a.Reset();
        var r = a.Analyze(scene.Render(W, H, 30, 0));
        Assert.Equal(0, r.Score);
        Assert.Equal(0, r.ActiveCells);
        Assert.Equal(0, r.ChangedPixels);
    }

    [Theory]
    [InlineData(0.4f, 0.3f)]
    [InlineData(2.6f, -1.3f)]
    [InlineData(-7.25f, 4.5f)]
    public void Whole_frame_shift_is_measured_as_global_motion_and_ignored(float dx, float dy)
    {
        var scene = new SyntheticScene(2);
        var a = NewAnalyzer();
        a.Analyze(scene.Render(W, H));
        var r = a.Analyze(scene.Render(W, H, dx, dy));
        Assert.InRange(r.GlobalDx, dx - 0.25f, dx + 0.25f);
        Assert.InRange(r.GlobalDy, dy - 0.25f, dy + 0.25f);
        Assert.True(r.Score < Gate.OpenThreshold, $"score {r.Score} active {string.Join(" ", r.Cells.Where(c => c.Active))}");
        var inner = r.Cells.Where(c => c.X > 0.1 && c.X < 0.9 && c.Y > 0.15 && c.Y < 0.85).ToList();
        Assert.All(inner, c => Assert.True(MathF.Abs(c.Dx) <= 0.25f && MathF.Abs(c.Dy) <= 0.25f, $"residual {c}"));
    }

    [Fact]
    public void Camera_shake_and_slow_pan_never_open_the_gate()
    {
        var scene = new SyntheticScene(3);
        var rnd = new Random(3);
        var frames = Enumerable.Range(0, 30).Select(f =>
            scene.Render(W, H, 1.5f * f + (float)(rnd.NextDouble() * 6 - 3), 0.5f * f + (float)(rnd.NextDouble() * 6 - 3)));
        var (scores, opened, _) = Run(NewAnalyzer(), frames);
        Assert.False(opened, $"scores {string.Join(" ", scores)}");
    }

    [Fact]
    public void Brightness_steps_and_exposure_ramps_stay_below_the_open_threshold()
    {
        var scene = new SyntheticScene(4);
        var gains = new[] { 1f, 1f, 1.8f, 1.8f, 0.5f, 0.5f, 0.55f, 0.6f, 0.66f, 0.72f, 0.8f, 0.88f, 0.95f, 1f, 1f };
        var frames = gains.Select(g => scene.Render(W, H, gain: g, offset: 20 * (g - 1)));
        var a = NewAnalyzer();
        var (scores, opened, _) = Run(a, frames);
        Assert.False(opened);
        Assert.All(scores, s => Assert.True(s < Gate.OpenThreshold, $"scores {string.Join(" ", scores)}"));
        a.Analyze(scene.Render(W, H));
        Assert.True(a.Analyze(scene.Render(W, H, gain: 2f)).LightingChange);
    }

    [Fact]
    public void Sensor_noise_alone_never_opens_the_gate()
    {
        var scene = new SyntheticScene(5);
        var rnd = new Random(5);
        var frames = Enumerable.Range(0, 40).Select(_ =>
        {
            var img = scene.Render(W, H);
            SyntheticScene.AddNoise(img, rnd, 4);
            return img;
        });
        var (scores, opened, _) = Run(NewAnalyzer(), frames);
        Assert.False(opened, $"scores {string.Join(" ", scores)}");
    }

    [Fact]
    public void Moving_box_opens_the_gate_and_its_cells_keep_the_direction()
    {
        var (scores, opened, r) = Run(NewAnalyzer(), MovingBox(new SyntheticScene(6), new SyntheticScene(60), 8, 7));
        Assert.True(opened, $"scores {string.Join(" ", scores)}");
        Assert.True(r.ActiveCells >= 2);
        // Box now spans x 89..149, y 60..130: its tracked cells move right by ~7 px, nothing moves elsewhere.
        var inBox = r.Cells.Where(c => c.Active && c.X * W > 95 && c.X * W < 145 && c.Y * H > 65 && c.Y * H < 125 && (c.Dx != 0 || c.Dy != 0)).ToList();
        Assert.NotEmpty(inBox);
        Assert.All(inBox, c => Assert.True(MathF.Abs(c.Dx - 7) < 1 && MathF.Abs(c.Dy) < 1, $"cell {c}"));
        Assert.All(r.Cells.Where(c => c.X * W < 60 || c.X * W > 200), c => Assert.False(c.Active, $"cell {c}"));
    }

    [Fact]
    public void Changed_pixels_lie_where_the_box_was_or_is_and_nowhere_else()
    {
        var a = NewAnalyzer();
        MotionResult r = null!;
        foreach (var f in MovingBox(new SyntheticScene(6), new SyntheticScene(60), 8, 7)) r = a.Analyze(f);
        // Box at x 89..148 now, 82..141 before; y 60..129.
        var changed = Enumerable.Range(0, W * H).Where(i => r.Changed[i] == 1).ToList();
        Assert.Equal(changed.Count, r.ChangedPixels);
        Assert.True(changed.Count > 1000, $"{changed.Count} changed pixels");
        Assert.All(changed, i => Assert.True(i % W is >= 82 and < 149 && i / W is >= 60 and < 130, $"pixel ({i % W}, {i / W})"));
    }

    [Fact]
    public void Changed_mask_is_exactly_the_per_pixel_test_around_active_cells()
    {
        var a = NewAnalyzer();
        var frames = MovingBox(new SyntheticScene(6), new SyntheticScene(60), 8, 7).ToList();
        MotionResult r = null!;
        foreach (var f in frames) r = a.Analyze(f);
        byte[] prev = frames[^2], cur = frames[^1];
        var opts = new MotionOptions();
        int cols = opts.GridColumns, rows = opts.GridRows, expectedCount = 0;
        for (var y = 0; y < H; y++)
            for (var x = 0; x < W; x++)
            {
                int col = x * cols / W, row = y * rows / H;
                var near = false;
                for (var dr = -1; dr <= 1; dr++)
                    for (var dc = -1; dc <= 1; dc++)
                        if (row + dr is >= 0 and < 9 && col + dc is >= 0 and < 16 && r.Cells[(row + dr) * cols + col + dc].Active) near = true;
                var changed = near && MathF.Abs(cur[y * W + x] + 1f - r.BrightnessGain * (prev[y * W + x] + 1f)) > opts.PixelChangeThreshold;
                Assert.True(changed == (r.Changed[y * W + x] == 1), $"pixel ({x}, {y})");
                if (changed) expectedCount++;
            }
        Assert.Equal(expectedCount, r.ChangedPixels);
    }

    [Fact]
    public void Noise_and_lighting_mark_no_changed_pixels()
    {
        var scene = new SyntheticScene(5);
        var rnd = new Random(5);
        var a = NewAnalyzer();
        foreach (var g in new[] { 1f, 1f, 1.8f, 1.8f, 0.5f, 0.6f, 0.8f, 1f, 1f })
        {
            var img = scene.Render(W, H, gain: g, offset: 20 * (g - 1));
            SyntheticScene.AddNoise(img, rnd, 4);
            var r = a.Analyze(img);
            Assert.Equal(0, r.ChangedPixels);
            Assert.DoesNotContain((byte)1, r.Changed);
        }
    }

    [Fact]
    public void Masked_moving_box_is_ignored()
    {
        var mask = Polygon.Parse("0.05,0.25 0.75,0.25 0.75,0.85 0.05,0.85");
        var (scores, opened, r) = Run(NewAnalyzer(mask), MovingBox(new SyntheticScene(6), new SyntheticScene(60), 8, 7));
        Assert.False(opened, $"scores {string.Join(" ", scores)}");
        Assert.All(scores, s => Assert.Equal(0, s));
        Assert.Equal(0, r.ActiveCells);
    }

    [Fact]
    public void Analyze_allocates_nothing_per_frame()
    {
        var a = NewAnalyzer();
        var frames = MovingBox(new SyntheticScene(7), new SyntheticScene(70), 6, 5).ToArray();
        foreach (var f in frames) a.Analyze(f);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 50; i++) a.Analyze(frames[i % frames.Length]);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Wrong_frame_size_is_a_clear_error()
    {
        var a = NewAnalyzer();
        var e = Assert.Throws<ArgumentException>(() => a.Analyze(new byte[W * H - 1]));
        Assert.Contains("320x180", e.Message);
    }

    [Fact]
    public void Motion_options_defaults_are_valid_and_errors_name_keys()
    {
        var ok = new ConfigErrors();
        new MotionOptions().Validate("Motion", ok);
        Assert.False(ok.Any);
        var bad = new ConfigErrors();
        new MotionOptions { GridColumns = 0, PatchSize = 12 }.Validate("Motion", bad);
        Assert.Contains(bad.Errors, e => e.StartsWith("Motion:GridColumns"));
        Assert.Contains(bad.Errors, e => e.StartsWith("Motion:PatchSize"));
    }
}
