using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using StreamWatch.Config;
using StreamWatch.Core.Config;
using StreamWatch.Core.Frames;
using StreamWatch.Core.Pipeline;
using StreamWatch.Core.Telemetry;
using StreamWatch.Ingest;

namespace StreamWatch.Runtime;

/// <summary>
/// One live camera. Its loop is the only owner of its <see cref="CameraLoop"/> (pipeline, alerts):
/// frames and online/offline changes from the ffmpeg source, and verdicts and failures from the
/// model, reach it as <see cref="CameraMessage"/>s on its own bounded inbox, and it publishes the
/// events in the order it decided them. Ingest never waits: a frame that finds
/// <see cref="OutputOptions.FrameQueueCapacity"/> frames waiting is dropped and counted. The other
/// messages are never dropped: they have slots of their own and, beyond those, wait for room
/// without blocking their sender.
/// </summary>
public sealed class CameraWorker
{
    /// <summary>Inbox room beyond the frames, for verdicts, failures and state changes.</summary>
    private const int ControlSlots = 64;

    private readonly CameraOptions _camera;
    private readonly ILogger _log;
    private readonly TimeProvider _time;
    private readonly CameraLoop _loop;
    private readonly Channel<CameraMessage> _inbox;
    private readonly int _frameCapacity;
    private readonly KeyValuePair<string, object?> _tag;
    private int _queuedFrames;
    private long _analysed, _gateOpenFrames, _ratesAt;
    private long _analysedMark, _gateOpenMark;

    public CameraWorker(CameraOptions camera, AppOptions options, ILogger log, TimeProvider time)
    {
        _camera = camera; _log = log; _time = time;
        _loop = new CameraLoop(camera, options.Motion, options.Gate, options.Keyframes, log);
        _frameCapacity = options.Output.FrameQueueCapacity;
        _tag = new("camera", camera.Name);
        _inbox = Channel.CreateBounded<CameraMessage>(new BoundedChannelOptions(_frameCapacity + ControlSlots)
        {
            FullMode = BoundedChannelFullMode.Wait, SingleReader = true,
        });
    }

    /// <summary>The shared model, when one is configured (set before <see cref="RunAsync"/>).</summary>
    public ModelJudge? Judge { get; set; }

    public string Name => _camera.Name;
    public CameraOptions Options => _camera;
    public bool Online { get; private set; }
    public bool GateOpen { get; private set; }
    public int QueueDepth => Volatile.Read(ref _queuedFrames);
    public long FramesAnalysed => Interlocked.Read(ref _analysed);
    /// <summary>A copy of the newest analysed frame, taken at most once a second (for the API's latest.jpg).</summary>
    public LatestFrame Latest { get; } = new();

    /// <summary>Analysed frames per second and the share of them with the gate open, since the last call.</summary>
    public (double Fps, double GateOpenRatio) TakeRates()
    {
        var now = _time.GetTimestamp();
        var seconds = _ratesAt == 0 ? 0 : _time.GetElapsedTime(_ratesAt, now).TotalSeconds;
        var analysed = Interlocked.Read(ref _analysed) - _analysedMark;
        var open = Interlocked.Read(ref _gateOpenFrames) - _gateOpenMark;
        _analysedMark += analysed; _gateOpenMark += open; _ratesAt = now;
        return (seconds > 0 ? analysed / seconds : 0, analysed > 0 ? (double)open / analysed : 0);
    }

    /// <summary>
    /// Hands a message to the camera's loop from any thread; never blocks and never runs camera
    /// code. Lost only once the camera has stopped (a late verdict).
    /// </summary>
    public void Post(CameraMessage message)
    {
        if (!_inbox.Writer.TryWrite(message)) _ = PostLaterAsync(message);
    }

    private async Task PostLaterAsync(CameraMessage message)
    {
        try { await _inbox.Writer.WriteAsync(message).ConfigureAwait(false); }
        catch (ChannelClosedException) { }
    }

    /// <summary>
    /// Runs ffmpeg and the camera's loop until <paramref name="ct"/> is cancelled (or a file that is
    /// not looped ends); then the pipeline flushes (open alerts end). Events go to <paramref name="publish"/>
    /// from the loop, one at a time, in order.
    /// </summary>
    public async Task RunAsync(Action<PipelineEvent> publish, CancellationToken ct)
    {
        await using var source = new CameraSource(_camera, _log, _time);
        var loop = Task.Run(() => LoopAsync(publish, source.Return));
        try
        {
            await source.RunAsync(Offer, state => Post(CameraMessage.StateOf(state)), ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested) { }
        catch (Exception e)
        {
            // one broken camera must not end the others
            _log.LogCritical(e, "camera {Camera} stopped: {Error}", _camera.Name, e.Message);
            Post(CameraMessage.StateOf(new CameraStateChanged(_camera.Name, _time.GetUtcNow(), _loop.LastOffset, false, CameraStateReason.Failed)));
        }
        finally
        {
            Complete();
            await loop;
        }
    }

    /// <summary>No more messages: the loop handles what is queued, flushes the pipeline and ends.</summary>
    internal void Complete() => _inbox.Writer.TryComplete();

    /// <summary>From the ingest loop: true when the frame was queued (the camera's loop gives it back to <c>release</c>).</summary>
    internal bool Offer(Frame frame)
    {
        if (Interlocked.Increment(ref _queuedFrames) <= _frameCapacity && _inbox.Writer.TryWrite(CameraMessage.FrameOf(frame))) return true;
        Interlocked.Decrement(ref _queuedFrames);
        StreamWatchMetrics.FramesDropped.Add(1, _tag);
        return false;
    }

    /// <summary>The camera's loop: handles its messages one at a time until <see cref="Complete"/>, then flushes.</summary>
    internal async Task LoopAsync(Action<PipelineEvent> publish, Action<Frame> release)
    {
        var output = new List<PipelineEvent>();
        await foreach (var message in _inbox.Reader.ReadAllAsync())
        {
            try { Handle(message, output); }
            catch (Exception e)
            {
                _log.LogError(e, "camera {Camera}: analysis failed on frame {Sequence}", _camera.Name, message.Frame?.Sequence);
            }
            finally
            {
                if (message.Frame is { } frame)
                {
                    Interlocked.Decrement(ref _queuedFrames);
                    release(frame);
                }
            }
            foreach (var e in output) publish(e);
            output.Clear();
        }
        _loop.Flush(output);
        foreach (var e in output) publish(e);
    }

    private void Handle(CameraMessage message, List<PipelineEvent> output)
    {
        switch (message)
        {
            case { Frame: { } frame }:
                StreamWatchMetrics.DecodeLag.Record((_time.GetUtcNow() - frame.CapturedUtc).TotalSeconds, _tag);
                var start = _time.GetTimestamp();
                _loop.Frame(frame, output);
                GateOpen = _loop.GateOpen;
                if (Judge != null && _loop.AlertKeyframesGained) Judge.Submit(_camera.Name, _loop.OpenAlerts, _camera.Rules);
                Interlocked.Increment(ref _analysed);
                Latest.Offer(frame, _loop.LastMoving);
                if (GateOpen) Interlocked.Increment(ref _gateOpenFrames);
                StreamWatchMetrics.StageLatency.Record(_time.GetElapsedTime(start).TotalSeconds, _tag, new("stage", "gate"));
                break;
            case { State: { } state }:
                Online = state.Online;
                if (!state.Online) _loop.Offline();
                output.Add(state);
                break;
            case { AlertId: { } id, Verdict: { } verdict }:
                _loop.Verdict(id, verdict, output);
                break;
            case { AlertId: { } id }:
                _loop.VerdictFailed(id, output);
                break;
        }
    }
}

/// <summary>
/// The newest analysed frame, copied at most once a second into one buffer that is reused: a fresh
/// 381 KB copy per camera per second went to the large-object heap, which only a full collection frees
/// (issue 15, memory). The camera's loop never waits for a reader: while one holds the copy, it skips.
/// </summary>
public sealed class LatestFrame
{
    private readonly Lock _lock = new();
    private byte[] _i420 = [];
    private int _width, _height;
    private DateTimeOffset _utc;
    private Box? _moving;
    private bool _has;

    /// <summary>From the camera's loop: copies the frame (and where it moved) when the last copy is a second old (or the clock went back).</summary>
    public void Offer(Frame frame, Box? moving = null)
    {
        if (!_lock.TryEnter()) return;
        try
        {
            if (_has && frame.CapturedUtc - _utc < TimeSpan.FromSeconds(1) && frame.CapturedUtc >= _utc) return;
            if (_i420.Length != frame.I420.Length) _i420 = new byte[frame.I420.Length];
            frame.I420.CopyTo(_i420, 0);
            (_width, _height, _utc, _moving, _has) = (frame.Width, frame.Height, frame.CapturedUtc, moving, true);
        }
        finally { _lock.Exit(); }
    }

    /// <summary>Runs <paramref name="read"/> on the copy (I420, width, height) while the loop cannot change it; null before the first frame.</summary>
    public T? Read<T>(Func<byte[], int, int, T> read) where T : class => Read((b, w, h, _) => read(b, w, h));

    /// <summary>As <see cref="Read{T}(Func{byte[], int, int, T})"/>, with the region that moved in that frame.</summary>
    public T? Read<T>(Func<byte[], int, int, Box?, T> read) where T : class
    {
        lock (_lock) return _has ? read(_i420, _width, _height, _moving) : null;
    }
}
