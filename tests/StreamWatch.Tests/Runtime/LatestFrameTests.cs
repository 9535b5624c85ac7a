using StreamWatch.Core.Frames;
using StreamWatch.Runtime;

namespace StreamWatch.Tests.Runtime;

/// <summary>The latest.jpg copy reuses one buffer (no 381 KB allocation per camera per second) and never makes the loop wait.</summary>
public class LatestFrameTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static Frame FrameOf(byte value, DateTimeOffset utc)
    {
        var f = new Frame(8, 4) { CapturedUtc = utc };
        Array.Fill(f.I420, value);
        return f;
    }

    [Fact]
    public void Copies_at_most_once_a_second_into_the_same_buffer()
    {
        var latest = new LatestFrame();
        Assert.Null(latest.Read((b, _, _) => b));
        latest.Offer(FrameOf(1, T0));
        var first = latest.Read((b, _, _) => b)!;
        Assert.All(first, v => Assert.Equal(1, v));

        latest.Offer(FrameOf(2, T0.AddMilliseconds(500)));
        Assert.All(latest.Read((b, _, _) => b)!, v => Assert.Equal(1, v));

        latest.Offer(FrameOf(3, T0.AddSeconds(1)));
        var third = latest.Read((b, w, h) => (b, w, h).ToTuple())!;
        Assert.Same(first, third.Item1);
        Assert.All(third.Item1, v => Assert.Equal(3, v));
        Assert.Equal((8, 4), (third.Item2, third.Item3));

        latest.Offer(FrameOf(4, T0)); // the clock went back: copy again
        Assert.All(latest.Read((b, _, _) => b)!, v => Assert.Equal(4, v));
    }

    [Fact]
    public void The_loop_skips_instead_of_waiting_while_a_reader_holds_the_copy()
    {
        var latest = new LatestFrame();
        latest.Offer(FrameOf(1, T0));
        var seen = latest.Read((b, _, _) =>
        {
            var offer = Task.Run(() => latest.Offer(FrameOf(2, T0.AddSeconds(5))));
            Assert.True(offer.Wait(TimeSpan.FromSeconds(30)), "Offer waited for the reader");
            return b.ToArray();
        })!;
        Assert.All(seen, v => Assert.Equal(1, v));
        Assert.All(latest.Read((b, _, _) => b)!, v => Assert.Equal(1, v));
    }
}
