using StreamWatch.Ingest;

namespace StreamWatch.Tests.Ingest;

public class BackoffTests
{
    private static double[] Seconds(Backoff b, int n, TimeSpan healthy) =>
        Enumerable.Range(0, n).Select(_ => b.Next(healthy).TotalSeconds).ToArray();

    [Fact]
    public void DoublesFromOneSecondToThirty()
    {
        Assert.Equal(new double[] { 1, 2, 4, 8, 16, 30, 30, 30 }, Seconds(new Backoff(), 8, TimeSpan.Zero));
    }

    [Fact]
    public void StaysAtTheCapForever()
    {
        var b = new Backoff();
        Seconds(b, 100, TimeSpan.FromSeconds(5));
        Assert.Equal(30, b.Next(TimeSpan.Zero).TotalSeconds);
    }

    [Fact]
    public void AHealthyMinuteResetsToOneSecond()
    {
        var b = new Backoff();
        Seconds(b, 6, TimeSpan.Zero);
        Assert.Equal(1, b.Next(TimeSpan.FromSeconds(60)).TotalSeconds);
        Assert.Equal(2, b.Next(TimeSpan.Zero).TotalSeconds);
    }

    [Fact]
    public void ShorterHealthyRunsDoNotReset()
    {
        var b = new Backoff();
        Seconds(b, 4, TimeSpan.Zero);
        Assert.Equal(16, b.Next(TimeSpan.FromSeconds(59)).TotalSeconds);
    }
}
