using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.Extensions.Logging.Abstractions;
using StreamWatch.Core.Verdicts;
using StreamWatch.Inference;
using StreamWatch.Inference.Profiles;
using StreamWatch.Inference.Scheduling;

namespace StreamWatch.Tests.Inference.Scheduling;

public sealed class InferenceSchedulerTests : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private readonly ManualTimeProvider _time = new();
    private readonly FakeModel _model = new();
    private readonly ConcurrentQueue<VerdictResult> _results = new();
    private readonly ConcurrentQueue<VerdictFailure> _failures = new();
    private readonly Channel<object> _events = Channel.CreateUnbounded<object>();
    private InferenceScheduler? _s;

    /// <summary>A model whose every call waits until the test completes it.</summary>
    private sealed class FakeModel : IVisionModel
    {
        public readonly Channel<Call> Calls = Channel.CreateUnbounded<Call>();
        public int CallCount;
        public string Name => "fake";

        public Task<Verdict> JudgeAsync(VerdictRequest request, CancellationToken ct)
        {
            Interlocked.Increment(ref CallCount);
            var call = new Call(request);
            ct.Register(() => call.Done.TrySetCanceled(ct));
            Calls.Writer.TryWrite(call);
            return call.Done.Task;
        }

        public async Task<Call> Next() => await Calls.Reader.ReadAsync().AsTask().WaitAsync(Wait);
    }

    private sealed record Call(VerdictRequest Request)
    {
        public readonly TaskCompletionSource<Verdict> Done = new();
        public void Complete() => Done.SetResult(new Verdict("fall", 1, "critical", Request.Rule, true, null, null, "fake", "{}", 1));
    }

    private InferenceScheduler Scheduler(int concurrency = 1, int capacity = 32)
    {
        _s = new InferenceScheduler(_model, new SchedulerOptions { Concurrency = concurrency, QueueCapacity = capacity }, NullLogger.Instance,
            r => { _results.Enqueue(r); _events.Writer.TryWrite(r); },
            f => { _failures.Enqueue(f); _events.Writer.TryWrite(f); }, _time);
        return _s;
    }

    private VerdictRequest Req(string camera, string tag, double deadlineSeconds = 60) =>
        new(camera, tag, "security", [], _time.GetUtcNow().AddSeconds(deadlineSeconds));

    private async Task<object> NextEvent() => await _events.Reader.ReadAsync().AsTask().WaitAsync(Wait);

    [Fact]
    public async Task Cameras_take_turns()
    {
        var s = Scheduler();
        Assert.True(s.TryEnqueue(Req("A", "A1"), "a1"));
        var running = await _model.Next();
        foreach (var (cam, tag) in new[] { ("A", "A2"), ("A", "A3"), ("A", "A4"), ("B", "B1"), ("B", "B2"), ("C", "C1") })
            Assert.True(s.TryEnqueue(Req(cam, tag), tag));
        var order = new List<string> { running.Request.Rule };
        for (var i = 0; i < 6; i++)
        {
            running.Complete();
            running = await _model.Next();
            order.Add(running.Request.Rule);
        }
        running.Complete();
        Assert.Equal(["A1", "A2", "B1", "C1", "A3", "B2", "A4"], order);
        for (var i = 0; i < 7; i++) Assert.IsType<VerdictResult>(await NextEvent());
        Assert.Equal(7, _model.CallCount);
    }

    [Fact]
    public async Task Urgent_requests_go_first_and_cameras_take_turns_within_each_class()
    {
        var s = Scheduler();
        s.TryEnqueue(Req("A", "A0"), "a0");
        var running = await _model.Next();
        Assert.True(s.TryEnqueue(Req("A", "A-update"), "a1"));
        Assert.True(s.TryEnqueue(Req("B", "B-update"), "b1"));
        Assert.True(s.TryEnqueue(Req("C", "C-held1"), "c1", urgent: true));
        Assert.True(s.TryEnqueue(Req("C", "C-held2"), "c2", urgent: true));
        Assert.True(s.TryEnqueue(Req("A", "A-held"), "a2", urgent: true));
        Assert.True(s.TryEnqueue(Req("C", "C-held1 newer"), "c1"));   // replaces it, keeping its place and class
        var order = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            running.Complete();
            running = await _model.Next();
            order.Add(running.Request.Rule);
        }
        running.Complete();
        Assert.Equal(["C-held1 newer", "A-held", "C-held2", "A-update", "B-update"], order);
        Assert.Equal(1, s.Stats.Coalesced);
    }

    [Fact]
    public async Task A_newer_request_for_the_same_alert_replaces_the_queued_one()
    {
        var s = Scheduler();
        s.TryEnqueue(Req("A", "first"), "x");
        var running = await _model.Next();
        Assert.True(s.TryEnqueue(Req("A", "old"), "y"));
        Assert.True(s.TryEnqueue(Req("B", "other"), "z"));
        Assert.True(s.TryEnqueue(Req("A", "new"), "y"));
        Assert.Equal((2, 1L), (s.Stats.Queued, s.Stats.Coalesced));
        running.Complete();
        var next = await _model.Next();
        Assert.Equal("new", next.Request.Rule);
        next.Complete();
        (await _model.Next()).Complete();
        for (var i = 0; i < 3; i++) await NextEvent();
        Assert.Equal(["first", "new", "other"], _results.Select(r => r.Request.Rule));
        Assert.Equal(["x", "y", "z"], _results.Select(r => r.AlertId));
    }

    [Fact]
    public async Task Stale_work_is_dropped_and_running_work_is_cancelled_at_its_deadline()
    {
        var s = Scheduler();
        s.TryEnqueue(Req("A", "runs", deadlineSeconds: 100), "a");
        var running = await _model.Next();
        Assert.True(s.TryEnqueue(Req("B", "stale", deadlineSeconds: 5), "b"));
        Assert.True(s.TryEnqueue(Req("C", "fresh", deadlineSeconds: 60), "c"));
        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.False(s.TryEnqueue(Req("D", "late", deadlineSeconds: -1), "d"));
        running.Complete();
        var next = await _model.Next();
        Assert.Equal("fresh", next.Request.Rule);
        Assert.Equal(2, s.Stats.DroppedStale);                     // "stale" from the queue, "late" at the door
        Assert.IsType<VerdictResult>(await NextEvent());             // "runs"
        var expired = Assert.IsType<VerdictFailure>(await NextEvent()); // its alert hears at once, not at its own end
        Assert.Equal("b", expired.AlertId);
        Assert.IsType<TimeoutException>(expired.Error);
        _time.Advance(TimeSpan.FromSeconds(60));                    // past "fresh"'s deadline while it runs
        var failure = Assert.IsType<VerdictFailure>(await NextEvent());
        Assert.Equal("c", failure.AlertId);
        Assert.IsAssignableFrom<OperationCanceledException>(failure.Error);
        Assert.Equal((3L, 2), (s.Stats.DroppedStale, _model.CallCount));
    }

    [Fact]
    public async Task Never_runs_more_than_the_concurrency_limit()
    {
        var s = Scheduler(concurrency: 2);
        for (var i = 0; i < 5; i++) Assert.True(s.TryEnqueue(Req("cam" + i, "r" + i), "a" + i));
        var first = await _model.Next();
        var second = await _model.Next();
        Assert.Equal((2, 3), (s.Stats.Running, s.Stats.Queued));
        Assert.Equal(2, _model.CallCount);
        first.Complete();
        var third = await _model.Next();
        Assert.Equal(3, _model.CallCount);
        Assert.Equal((2, 2), (s.Stats.Running, s.Stats.Queued));
        // The two first runs start on their own tasks, so which reaches the model first is up to the thread pool.
        Assert.Equal(["r0", "r1"], new[] { first, second }.Select(c => c.Request.Rule).Order());
        Assert.Equal("r2", third.Request.Rule);
    }

    [Fact]
    public async Task A_full_queue_refuses_without_blocking_and_failures_are_reported()
    {
        var s = Scheduler(capacity: 2);
        s.TryEnqueue(Req("A", "r0"), "a0");
        var running = await _model.Next();
        Assert.True(s.TryEnqueue(Req("B", "r1"), "a1"));
        Assert.True(s.TryEnqueue(Req("C", "r2"), "a2"));
        Assert.False(s.TryEnqueue(Req("D", "r3"), "a3"));
        Assert.Equal(1, s.Stats.DroppedFull);
        running.Done.SetException(new ModelAnswerException("invalid", "bad answer"));
        var f = Assert.IsType<VerdictFailure>(await NextEvent());
        Assert.Equal(("a0", "invalid"), (f.AlertId, ((ModelAnswerException)f.Error).Reason));
        var next = await _model.Next();                              // the scheduler carries on
        Assert.Equal("r1", next.Request.Rule);
        Assert.Equal(1, s.Stats.Failed);
    }

    public void Dispose() => _s?.Dispose();
}
