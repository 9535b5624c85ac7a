using StreamWatch.Ingest;

namespace StreamWatch.Tests.Ingest;

public class BackoffTests
{
    private static readonly TimeSpan Young = TimeSpan.FromSeconds(10);

    // 0.5 is the middle of [0, 1): no jitter
    private static Backoff NoJitter() => new(() => 0.5);

    private static double[] Seconds(Backoff b, int n, TimeSpan healthy, TimeSpan dark) =>
        Enumerable.Range(0, n).Select(_ => Math.Round(b.Next(healthy, dark).TotalSeconds, 6)).ToArray();

    [Fact]
    public void AYoungOutageRetriesAtHalfOneTwoSecondsThenAtTheShortCap()
    {
        Assert.Equal(new[] { 0.5, 1, 2, 2.5, 2.5, 2.5, 2.5 }, Seconds(NoJitter(), 7, TimeSpan.Zero, Young));
    }

    [Fact]
    public void TheCapPlusAConnectStaysUnderFiveSeconds()
    {
        // the requirement: resume within 5 s; ffmpeg's RTSP connect to first frame measured 1.2–1.4 s
        Assert.True(Backoff.Cap * (1 + Backoff.Jitter) + TimeSpan.FromSeconds(1.4) < TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void ACameraDarkForFiveMinutesIsTriedEveryThirtySeconds()
    {
        var b = NoJitter();
        Seconds(b, 10, TimeSpan.Zero, Young);
        Assert.Equal(2.5, b.Next(TimeSpan.Zero, Backoff.LongOutage - TimeSpan.FromSeconds(1)).TotalSeconds, 6);
        Assert.Equal(new double[] { 30, 30, 30 }, Seconds(b, 3, TimeSpan.Zero, Backoff.LongOutage));
        // a camera that never delivered a frame is just as dark
        Assert.Equal(30, NoJitter().Next(TimeSpan.Zero, TimeSpan.FromHours(2)).TotalSeconds, 6);
    }

    [Fact]
    public void AnyRunThatDeliveredFramesStartsTheSequenceAgain()
    {
        var b = NoJitter();
        Seconds(b, 6, TimeSpan.Zero, Young);
        Assert.Equal(0.5, b.Next(TimeSpan.FromMilliseconds(200), TimeSpan.Zero).TotalSeconds, 6);
        Assert.Equal(1, b.Next(TimeSpan.Zero, TimeSpan.FromSeconds(1)).TotalSeconds, 6);
    }

    [Fact]
    public void AServerThatFlapsEveryFewSecondsKeepsTheFastPath()
    {
        var b = NoJitter();
        for (var cycle = 0; cycle < 50; cycle++)
        {
            Assert.Equal(0.5, b.Next(TimeSpan.FromSeconds(2), TimeSpan.Zero).TotalSeconds, 6);
            Assert.Equal(1, b.Next(TimeSpan.Zero, TimeSpan.FromSeconds(1)).TotalSeconds, 6);
        }
    }

    [Fact]
    public void AfterALongOutageFramesBringTheFastPathBack()
    {
        var b = NoJitter();
        Seconds(b, 20, TimeSpan.Zero, TimeSpan.FromHours(1));
        Assert.Equal(new[] { 0.5, 1, 2 }, Seconds(b, 1, TimeSpan.FromSeconds(1), TimeSpan.Zero).Concat(Seconds(b, 2, TimeSpan.Zero, Young)));
    }

    [Theory]
    [InlineData(0.0, 0.9)]
    [InlineData(0.25, 0.95)]
    [InlineData(0.75, 1.05)]
    [InlineData(0.999999, 1.1)]
    public void JitterIsPlusMinusTenPercentFromTheInjectedSource(double random, double factor)
    {
        var b = new Backoff(() => random);
        var expected = new[] { 0.5, 1, 2, 2.5 }.Select(s => s * factor);
        Assert.All(expected.Zip(Seconds(b, 4, TimeSpan.Zero, Young)), p => Assert.Equal(p.First, p.Second, 5));
        Assert.Equal(30 * factor, b.Next(TimeSpan.Zero, Backoff.LongOutage).TotalSeconds, 4);
    }

    [Fact]
    public void TheDefaultJitterSpreadsCamerasWithinTheBand()
    {
        var delays = Enumerable.Range(0, 200).Select(_ => new Backoff().Next(TimeSpan.Zero, Young).TotalSeconds).ToList();
        Assert.All(delays, d => Assert.InRange(d, 0.45, 0.55));
        Assert.True(delays.Distinct().Count() > 100, "32 cameras of one recorder must not all retry in the same instant");
    }
}
