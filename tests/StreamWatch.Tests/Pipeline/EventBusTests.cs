using Microsoft.Extensions.Logging.Abstractions;
using StreamWatch.Core.Pipeline;

namespace StreamWatch.Tests.Pipeline;

public class EventBusTests
{
    private static MotionChanged Motion(int i) => new("cam", DateTimeOffset.UnixEpoch, TimeSpan.FromSeconds(i), i % 2 == 0, 1);

    private sealed class RecordingSink(string name, Func<PipelineEvent, ValueTask>? onEvent = null) : IEventSink
    {
        public readonly List<PipelineEvent> Seen = new();
        public string Name => name;
        public async ValueTask HandleAsync(PipelineEvent e, CancellationToken cancellationToken)
        {
            if (onEvent != null) await onEvent(e);
            lock (Seen) Seen.Add(e);
        }
    }

    [Fact]
    public async Task Every_sink_gets_every_event_in_order_and_dispose_drains_the_queues()
    {
        var a = new RecordingSink("a");
        var b = new RecordingSink("b");
        var bus = new EventBus(new[] { a, b }, NullLogger.Instance);
        for (var i = 0; i < 100; i++) bus.Publish(Motion(i));
        await bus.DisposeAsync();
        Assert.Equal(Enumerable.Range(0, 100).Select(Motion), a.Seen);
        Assert.Equal(a.Seen, b.Seen);
    }

    [Fact]
    public async Task A_throwing_sink_keeps_receiving_and_does_not_disturb_the_others()
    {
        var bad = new RecordingSink("bad", e => e.Offset.TotalSeconds % 3 == 0 ? throw new IOException("disk full") : ValueTask.CompletedTask);
        var good = new RecordingSink("good");
        var bus = new EventBus(new[] { bad, good }, NullLogger.Instance);
        for (var i = 0; i < 30; i++) bus.Publish(Motion(i));
        await bus.DisposeAsync();
        Assert.Equal(30, good.Seen.Count);
        Assert.Equal(20, bad.Seen.Count);
    }

    [Fact]
    public async Task A_stuck_sink_never_blocks_publishing_it_loses_its_oldest_events_instead()
    {
        var release = new TaskCompletionSource();
        var stuck = new RecordingSink("stuck", _ => new ValueTask(release.Task));
        var fast = new RecordingSink("fast");
        var bus = new EventBus(new[] { stuck, fast }, NullLogger.Instance, queueCapacity: 16);
        for (var i = 0; i < 1000; i++) bus.Publish(Motion(i)); // returns although "stuck" never finishes
        release.SetResult();
        await bus.DisposeAsync();
        Assert.InRange(stuck.Seen.Count, 16, 17);              // at most the one in flight + the newest 16
        Assert.Equal(Enumerable.Range(1000 - 16, 16).Select(Motion), stuck.Seen.TakeLast(16));
        Assert.Equal(Motion(999), fast.Seen[^1]);
    }

    [Fact]
    public async Task Drained_completes_once_every_sink_handled_what_came_before_and_the_mark_reaches_no_sink()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var slow = new RecordingSink("slow", async _ => await gate.Task);
        var fast = new RecordingSink("fast");
        var bus = new EventBus(new[] { slow, fast }, NullLogger.Instance);
        for (var i = 0; i < 5; i++) bus.Publish(Motion(i));
        var drained = bus.DrainedAsync();
        bus.Publish(Motion(5));
        Assert.False(drained.IsCompleted);
        gate.SetResult();
        await drained.WaitAsync(TimeSpan.FromSeconds(30));
        lock (slow.Seen) Assert.True(slow.Seen.Count >= 5);
        await bus.DisposeAsync();
        Assert.Equal(Enumerable.Range(0, 6).Select(Motion), slow.Seen);
        Assert.Equal(slow.Seen, fast.Seen);
    }
}
