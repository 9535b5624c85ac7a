using StreamWatch.Core.Keyframes;

namespace StreamWatch.Tests.Keyframes;

public class KeyframePickerTests
{
    private static Keyframe K(double seconds, float score) =>
        new("cam", DateTimeOffset.UnixEpoch.AddSeconds(seconds), TimeSpan.FromSeconds(seconds), score, false, 2, 2, new byte[6]);

    private static double[] Secs(IEnumerable<Keyframe> k) => k.Select(x => x.Offset.TotalSeconds).ToArray();

    [Fact]
    public void Returns_all_in_time_order_when_within_the_limit()
    {
        var picked = KeyframePicker.Pick(new[] { K(3, 1), K(1, 2), K(2, 3) }, 4);
        Assert.Equal(new double[] { 1, 2, 3 }, Secs(picked));
    }

    [Fact]
    public void Keeps_the_peak_and_spreads_the_rest_over_time()
    {
        var all = Enumerable.Range(0, 12).Select(i => K(i, i == 5 ? 9 : 1)).Reverse().ToArray();
        var picked = KeyframePicker.Pick(all, 4);
        // peak 5; farthest 11 (6 s away); then 0 (5 s); then 8 (3 s from 5 and 11).
        Assert.Equal(new double[] { 0, 5, 8, 11 }, Secs(picked));
        Assert.Equal(new double[] { 5 }, Secs(KeyframePicker.Pick(all, 1)));
    }

    [Fact]
    public void Rejects_a_zero_limit() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => KeyframePicker.Pick(new[] { K(0, 1) }, 0));
}
