using StreamWatch.Ingest;

namespace StreamWatch.Tests.Ingest;

public class StallWatchdogTests
{
    [Fact]
    public void StallsOnlyAfterTheTimeoutWithoutFrames()
    {
        var time = new ManualTime();
        var w = new StallWatchdog(time, TimeSpan.FromSeconds(10));
        time.Advance(TimeSpan.FromSeconds(9.9));
        Assert.False(w.IsStalled);
        time.Advance(TimeSpan.FromSeconds(0.1));
        Assert.True(w.IsStalled);
    }

    [Fact]
    public void EachFrameRestartsTheCountdown()
    {
        var time = new ManualTime();
        var w = new StallWatchdog(time, TimeSpan.FromSeconds(10));
        for (var i = 0; i < 20; i++)
        {
            time.Advance(TimeSpan.FromSeconds(8));
            Assert.False(w.IsStalled);
            w.Feed();
        }
        time.Advance(TimeSpan.FromSeconds(10));
        Assert.True(w.IsStalled);
        Assert.Equal(TimeSpan.FromSeconds(10), w.SilentFor);
    }

    [Theory]
    [InlineData(10, 1000)]
    [InlineData(2, 500)]
    [InlineData(0.1, 50)]
    public void ChecksOftenEnoughToReactWithinAQuarterOfTheTimeout(double timeoutS, double expectedMs)
    {
        var w = new StallWatchdog(new ManualTime(), TimeSpan.FromSeconds(timeoutS));
        Assert.Equal(expectedMs, w.CheckInterval.TotalMilliseconds, 3);
    }
}
