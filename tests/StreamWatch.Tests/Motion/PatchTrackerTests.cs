using StreamWatch.Core.Motion;

namespace StreamWatch.Tests.Motion;

public class PatchTrackerTests
{
    private const int W = 320, H = 180;

    [Theory]
    [InlineData(0.3f, -0.2f)]
    [InlineData(1.37f, 0.61f)]
    [InlineData(-2.75f, 1.5f)]
    [InlineData(5.4f, -3.3f)]
    [InlineData(11.6f, 2.2f)]
    public void Sub_pixel_shift_is_recovered_within_a_quarter_pixel_at_every_cell(float dx, float dy)
    {
        var scene = new SyntheticScene(7);
        var prev = new Pyramid(3, W, H);
        var cur = new Pyramid(3, W, H);
        prev.Build(scene.Render(W, H));
        cur.Build(scene.Render(W, H, dx, dy));
        var tracker = new PatchTracker(16, 6, 0.02f);
        var checkedCells = 0;
        for (var cy = 20f; cy < H - 20; cy += 20)
            for (var cx = 30f; cx < W - 30; cx += 20)
            {
                tracker.Track(prev, cur, cx, cy, out var fx, out var fy, out var texture, out var error);
                Assert.True(texture > 6, $"texture {texture} at ({cx},{cy})");
                Assert.True(MathF.Abs(fx - dx) <= 0.25f && MathF.Abs(fy - dy) <= 0.25f,
                    $"flow ({fx:0.00},{fy:0.00}) at ({cx},{cy}), expected ({dx},{dy})");
                Assert.True(error < 0.2f, $"match error {error}");
                checkedCells++;
            }
        Assert.True(checkedCells > 60);
    }

    [Fact]
    public void Gain_and_offset_change_does_not_read_as_motion()
    {
        var scene = new SyntheticScene(3);
        var prev = new Pyramid(3, W, H);
        var cur = new Pyramid(3, W, H);
        prev.Build(scene.Render(W, H, gain: 0.6f, offset: 10));
        cur.Build(scene.Render(W, H, 0.8f, 0.4f, gain: 1.3f, offset: -20));
        var tracker = new PatchTracker(16, 6, 0.02f);
        tracker.Track(prev, cur, 160, 90, out var fx, out var fy, out _, out var error);
        Assert.InRange(fx, 0.55f, 1.05f);
        Assert.InRange(fy, 0.15f, 0.65f);
        Assert.True(error < 0.2f);
    }
}
