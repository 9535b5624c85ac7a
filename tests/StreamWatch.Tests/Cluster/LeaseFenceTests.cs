using StreamWatch.Core.Cluster;

namespace StreamWatch.Tests.Cluster;

/// <summary>A monotonic clock the test moves by hand.</summary>
internal sealed class SteppedClock : TimeProvider
{
    private long _now = 1_000_000;
    public override long TimestampFrequency => TimeSpan.TicksPerSecond;
    public override long GetTimestamp() => Interlocked.Read(ref _now);
    public void Advance(TimeSpan by) => Interlocked.Add(ref _now, by.Ticks);
}

public sealed class LeaseFenceTests
{
    [Fact]
    public void Closed_before_any_grant_and_after_loss()
    {
        var clock = new SteppedClock();
        var fence = new LeaseFence(clock);
        Assert.False(fence.MayPublish);
        fence.Granted(clock.GetTimestamp(), TimeSpan.FromSeconds(10));
        Assert.True(fence.MayPublish);
        fence.Lost();
        Assert.False(fence.MayPublish);
        Assert.Equal(TimeSpan.Zero, fence.Remaining);
    }

    [Fact]
    public void Closes_exactly_at_send_time_plus_ttl_minus_the_margin()
    {
        var clock = new SteppedClock();
        var fence = new LeaseFence(clock);
        var sent = clock.GetTimestamp();
        clock.Advance(TimeSpan.FromMilliseconds(300)); // the answer took 300 ms: still counted from the send
        fence.Granted(sent, TimeSpan.FromSeconds(10));
        var open = TimeSpan.FromSeconds(10) - LeaseFence.Margin(TimeSpan.FromSeconds(10)) - TimeSpan.FromMilliseconds(300);
        Assert.Equal(TimeSpan.FromSeconds(1), LeaseFence.Margin(TimeSpan.FromSeconds(10)));
        clock.Advance(open - TimeSpan.FromTicks(1));
        Assert.True(fence.MayPublish);
        clock.Advance(TimeSpan.FromTicks(1));
        Assert.False(fence.MayPublish);
    }

    [Fact]
    public void A_pause_past_the_lease_closes_it_without_any_timer_running()
    {
        var clock = new SteppedClock();
        var fence = new LeaseFence(clock);
        fence.Granted(clock.GetTimestamp(), TimeSpan.FromSeconds(2));
        Assert.Equal(TimeSpan.FromMilliseconds(200), LeaseFence.Margin(TimeSpan.FromSeconds(2)));
        clock.Advance(TimeSpan.FromSeconds(30)); // SIGSTOP
        Assert.False(fence.MayPublish);
    }

    [Fact]
    public void A_late_answer_to_an_older_keepalive_never_shortens_the_lease()
    {
        var clock = new SteppedClock();
        var fence = new LeaseFence(clock);
        var old = clock.GetTimestamp();
        clock.Advance(TimeSpan.FromSeconds(3));
        fence.Granted(clock.GetTimestamp(), TimeSpan.FromSeconds(10));
        fence.Granted(old, TimeSpan.FromSeconds(10));
        clock.Advance(TimeSpan.FromSeconds(8.5));
        Assert.True(fence.MayPublish);
    }
}
