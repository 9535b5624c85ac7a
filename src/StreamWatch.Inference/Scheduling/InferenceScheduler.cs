using Microsoft.Extensions.Logging;
using StreamWatch.Core.Telemetry;
using StreamWatch.Core.Verdicts;
using StreamWatch.Inference.Profiles;

namespace StreamWatch.Inference.Scheduling;

public sealed record VerdictResult(string AlertId, VerdictRequest Request, Verdict Verdict);
public sealed record VerdictFailure(string AlertId, VerdictRequest Request, Exception Error);
public sealed record SchedulerStats(int Queued, int Running, long Started, long Completed, long Failed, long Coalesced, long DroppedStale, long DroppedFull);

/// <summary>
/// One model shared by all cameras behind a bounded queue: urgent requests (a held alert's, whose
/// verdict decides whether it is published) go before the others, round-robin over cameras within
/// each class; a newer request for the same camera and alert replaces the queued one (keeping its
/// place and class); work past its deadline is dropped (queued) or cancelled (running); at most
/// <see cref="SchedulerOptions.Concurrency"/> requests run at once.
/// Drops are counted in model_dropped{reason,camera}; model failures are logged. Every request it
/// accepted ends in exactly one result or failure, handed to the callbacks outside any lock, from
/// the thread that finished it: they must not block (the daemon posts them to the camera's loop).
/// </summary>
public sealed class InferenceScheduler : IDisposable
{
    private static readonly KeyValuePair<string, object?> QueueStage = new("stage", "keyframe_queue");
    private static readonly KeyValuePair<string, object?> InferenceStage = new("stage", "inference");

    private sealed class Item(VerdictRequest request, string alertId, long queued)
    {
        public VerdictRequest Request = request;
        public readonly string AlertId = alertId;
        public readonly long Queued = queued; // TimeProvider timestamp; a coalesced request keeps its place and this
    }

    private readonly IVisionModel _model;
    private readonly SchedulerOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly object _gate = new();
    /// <summary>One priority class: a queue per camera and the cameras with queued work, next first.</summary>
    private sealed class Lane
    {
        public readonly Dictionary<string, LinkedList<Item>> Queues = new(StringComparer.Ordinal);
        public readonly LinkedList<string> Turns = new();
    }

    private readonly Lane[] _lanes = [new(), new()];           // urgent, then normal
    private readonly CancellationTokenSource _stop = new();
    private readonly Action<VerdictResult> _onResult;
    private readonly Action<VerdictFailure> _onFailure;
    private int _queued, _running;
    private List<Item> _expired = []; // went stale in the queue; reported as failures outside the lock
    private long _started, _completed, _failed, _coalesced, _stale, _full;
    private bool _disposed;

    public InferenceScheduler(IVisionModel model, SchedulerOptions options, ILogger log,
        Action<VerdictResult> onResult, Action<VerdictFailure> onFailure, TimeProvider? time = null)
        => (_model, _options, _log, _onResult, _onFailure, _time) = (model, options, log, onResult, onFailure, time ?? TimeProvider.System);

    public SchedulerStats Stats
    {
        get { lock (_gate) return new(_queued, _running, _started, _completed, _failed, _coalesced, _stale, _full); }
    }

    /// <summary>
    /// Queues a request for an alert; never blocks. False when it is already stale or the queue is full.
    /// An <paramref name="urgent"/> one runs before every non-urgent one.
    /// </summary>
    public bool TryEnqueue(VerdictRequest request, string alertId, bool urgent = false)
    {
        List<Item> start;
        lock (_gate)
        {
            if (_disposed) return false;
            var now = _time.GetUtcNow();
            if (request.Deadline <= now) { Drop(request, "stale", ref _stale); return false; }
            var queued = _lanes.Select(l => l.Queues.GetValueOrDefault(request.Camera)?.FirstOrDefault(i => i.AlertId == alertId))
                .FirstOrDefault(i => i != null);
            if (queued != null)
            {
                Drop(queued.Request, "coalesced", ref _coalesced);
                queued.Request = request;                    // keeps its place in line, with the newest keyframes
            }
            else
            {
                if (_queued >= _options.QueueCapacity) PurgeStale(now);
                if (_queued >= _options.QueueCapacity) { Drop(request, "queue_full", ref _full); return false; }
                var lane = _lanes[urgent ? 0 : 1];
                if (!lane.Queues.TryGetValue(request.Camera, out var q)) lane.Queues[request.Camera] = q = new LinkedList<Item>();
                q.AddLast(new Item(request, alertId, _time.GetTimestamp()));
                _queued++;
                if (q.Count == 1) lane.Turns.AddLast(request.Camera);
            }
            start = TakeRunnable(now);
        }
        foreach (var item in start) _ = Task.Run(() => RunAsync(item));
        ReportExpired();
        return true;
    }

    /// <summary>A request whose deadline passed while it waited is a failure for its alert, like one that ran out of time.</summary>
    private void ReportExpired()
    {
        List<Item> expired;
        lock (_gate)
        {
            if (_expired.Count == 0) return;
            (expired, _expired) = (_expired, []);
        }
        foreach (var item in expired)
            _onFailure(new VerdictFailure(item.AlertId, item.Request, new TimeoutException("its deadline passed while it waited in the queue")));
    }

    private List<Item> TakeRunnable(DateTimeOffset now)
    {
        var start = new List<Item>();
        while (_running < _options.Concurrency && Array.Find(_lanes, l => l.Turns.Count > 0) is { } lane)
        {
            var turn = lane.Turns.First!;
            lane.Turns.RemoveFirst();
            var q = lane.Queues[turn.Value];
            var item = q.First!.Value;
            q.RemoveFirst();
            _queued--;
            if (q.Count > 0) lane.Turns.AddLast(turn.Value);
            if (item.Request.Deadline <= now) { Drop(item.Request, "stale", ref _stale); _expired.Add(item); continue; }
            _running++;
            _started++;
            start.Add(item);
        }
        return start;
    }

    private void PurgeStale(DateTimeOffset now)
    {
        foreach (var lane in _lanes)
            foreach (var (camera, q) in lane.Queues)
            {
                for (var n = q.First; n != null;)
                {
                    var next = n.Next;
                    if (n.Value.Request.Deadline <= now) { Drop(n.Value.Request, "stale", ref _stale); _expired.Add(n.Value); q.Remove(n); _queued--; }
                    n = next;
                }
                if (q.Count == 0) lane.Turns.Remove(camera);
            }
    }

    private static void Drop(VerdictRequest r, string reason, ref long counter)
    {
        counter++;
        StreamWatchMetrics.ModelDropped.Add(1, new("reason", reason), new("camera", r.Camera));
    }

    private async Task RunAsync(Item item)
    {
        var r = item.Request;
        StreamWatchMetrics.StageLatency.Record(_time.GetElapsedTime(item.Queued).TotalSeconds, QueueStage);
        var left = r.Deadline - _time.GetUtcNow();
        using var deadline = left < TimeSpan.FromDays(1) ? new CancellationTokenSource(left > TimeSpan.Zero ? left : TimeSpan.Zero, _time) : new CancellationTokenSource();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, _stop.Token);
        Exception? error = null;
        Verdict? verdict = null;
        var started = _time.GetTimestamp();
        try { verdict = await _model.JudgeAsync(r, linked.Token).ConfigureAwait(false); }
        catch (Exception e) { error = e; }
        StreamWatchMetrics.StageLatency.Record(_time.GetElapsedTime(started).TotalSeconds, InferenceStage);
        List<Item> start;
        lock (_gate)
        {
            _running--;
            if (error == null) _completed++;
            else if (deadline.IsCancellationRequested && error is OperationCanceledException) Drop(r, "deadline", ref _stale);
            else _failed++;
            start = _disposed ? [] : TakeRunnable(_time.GetUtcNow());
        }
        foreach (var next in start) _ = Task.Run(() => RunAsync(next));
        if (verdict != null) _onResult(new VerdictResult(item.AlertId, r, verdict));
        else
        {
            if (error is not ModelAnswerException) _log.LogWarning(error, "model {Model} failed for camera {Camera} alert {Alert}", _model.Name, r.Camera, item.AlertId);
            _onFailure(new VerdictFailure(item.AlertId, r, error!));
        }
        ReportExpired();
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
            foreach (var lane in _lanes) { lane.Queues.Clear(); lane.Turns.Clear(); }
            _queued = 0;
        }
        _stop.Cancel();
    }
}
