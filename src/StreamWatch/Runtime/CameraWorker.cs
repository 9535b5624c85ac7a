using System.Reactive.Linq;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using StreamWatch.Config;
using StreamWatch.Core.Config;
using StreamWatch.Core.Frames;
using StreamWatch.Core.Pipeline;
using StreamWatch.Core.Telemetry;
using StreamWatch.Core.Verdicts;
using StreamWatch.Ingest;

namespace StreamWatch.Runtime;

/// <summary>
/// One live camera: the ffmpeg source pushes frames into a small bounded queue (oldest dropped and
/// counted when analysis falls behind, so ingest never waits), and an analysis loop runs the
/// camera's <see cref="CameraPipeline"/> on them. Exposed as an Rx stream of pipeline events.
/// </summary>
public sealed class CameraWorker
{
    private readonly CameraOptions _camera;
    private readonly AppOptions _options;
    private readonly ILogger _log;
    private readonly TimeProvider _time;
    private readonly object _gate = new();
    private CameraPipeline? _pipeline;
    private long _alertSeq;
    private ChannelReader<Frame>? _queue;
    private long _analysed, _gateOpenFrames, _ratesAt;
    private long _analysedMark, _gateOpenMark;
    private TimeSpan _offsetBase, _lastRaw = TimeSpan.MinValue, _lastOffset;

    public CameraWorker(CameraOptions camera, AppOptions options, ILogger log, TimeProvider time)
    {
        _camera = camera; _options = options; _log = log; _time = time;
    }

    /// <summary>The shared model, when one is configured (set before subscribing).</summary>
    public ModelJudge? Judge { get; set; }

    public string Name => _camera.Name;
    public bool Online { get; private set; }
    public bool GateOpen { get; private set; }
    public int QueueDepth => _queue?.Count ?? 0;
    public long FramesAnalysed => Interlocked.Read(ref _analysed);
    /// <summary>A copy of the newest analysed frame, taken at most once a second (for the API's latest.jpg).</summary>
    public LatestFrame? Latest => Volatile.Read(ref _latest);
    private LatestFrame? _latest;

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
    /// Events of this camera. Subscribing starts ffmpeg; cancelling <paramref name="stop"/> stops it,
    /// flushes the pipeline (open alerts end) and completes the stream.
    /// </summary>
    public IObservable<PipelineEvent> Events(CancellationToken stop) => Observable.Create<PipelineEvent>(async (observer, ct) =>
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, stop);
        try { await RunAsync(observer, linked.Token); }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // one broken camera (e.g. a zone that covers no analysis cell) must not end the others' streams
            _log.LogCritical(e, "camera {Camera} stopped: {Error}", _camera.Name, e.Message);
            Online = false;
            observer.OnNext(new CameraStateChanged(_camera.Name, _time.GetUtcNow(), _lastOffset, false, "failed"));
        }
    });

    private async Task RunAsync(IObserver<PipelineEvent> observer, CancellationToken ct)
    {
        var tag = new KeyValuePair<string, object?>("camera", _camera.Name);
        await using var source = new CameraSource(_camera, _log, _time);
        var frames = Channel.CreateBounded<Frame>(
            new BoundedChannelOptions(_options.Output.FrameQueueCapacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true, SingleWriter = true },
            dropped => { StreamWatchMetrics.FramesDropped.Add(1, tag); source.Return(dropped); });
        _queue = frames.Reader;

        var analysis = Task.Run(async () =>
        {
            var output = new List<PipelineEvent>();
            await foreach (var frame in frames.Reader.ReadAllAsync(CancellationToken.None))
            {
                output.Clear();
                try
                {
                    ContinueOffsets(frame);
                    StreamWatchMetrics.DecodeLag.Record((_time.GetUtcNow() - frame.CapturedUtc).TotalSeconds, tag);
                    var start = _time.GetTimestamp();
                    lock (_gate)
                    {
                        var pipeline = PipelineFor(frame, output);
                        pipeline.Process(frame, output);
                        GateOpen = pipeline.GateOpen;
                        if (Judge != null && pipeline.AlertKeyframesGained)
                            Judge.Submit(_camera.Name, pipeline.OpenAlerts, _camera.Rules);
                    }
                    Interlocked.Increment(ref _analysed);
                    if (_latest is not { } last || frame.CapturedUtc - last.Utc >= TimeSpan.FromSeconds(1) || frame.CapturedUtc < last.Utc)
                        Volatile.Write(ref _latest, new LatestFrame(frame.Width, frame.Height, frame.CapturedUtc, frame.I420.ToArray()));
                    if (GateOpen) Interlocked.Increment(ref _gateOpenFrames);
                    StreamWatchMetrics.StageLatency.Record(_time.GetElapsedTime(start).TotalSeconds, tag, new("stage", "gate"));
                }
                catch (Exception e)
                {
                    _log.LogError(e, "camera {Camera}: analysis failed on frame {Sequence}", _camera.Name, frame.Sequence);
                }
                finally { source.Return(frame); }
                foreach (var e in output) observer.OnNext(e);
            }
            output.Clear();
            lock (_gate) _pipeline?.Flush(output);
            foreach (var e in output) observer.OnNext(e);
        });

        try
        {
            await source.RunAsync(
                frame => frames.Writer.TryWrite(frame),
                state =>
                {
                    Online = state.Online;
                    if (!state.Online) lock (_gate) _pipeline?.Reset();
                    observer.OnNext(state);
                },
                ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested) { }
        finally
        {
            frames.Writer.TryComplete();
            await analysis;
        }
    }

    /// <summary>
    /// Each ffmpeg run counts offsets from 0; the camera's stream time goes on across restarts so
    /// that gate, cooldowns and alert times never run backwards.
    /// </summary>
    private void ContinueOffsets(Frame frame)
    {
        var raw = frame.Offset;
        if (raw <= _lastRaw) _offsetBase = _lastOffset + TimeSpan.FromSeconds(1 / _camera.AnalysisFps) - raw;
        _lastRaw = raw;
        frame.Offset = raw + _offsetBase;
        _lastOffset = frame.Offset;
    }

    /// <summary>Hands a model verdict to the alert lifecycle; returns the events it caused.</summary>
    public List<PipelineEvent> ApplyVerdict(string alertId, Verdict verdict)
    {
        var output = new List<PipelineEvent>();
        lock (_gate) _pipeline?.ApplyVerdict(alertId, verdict, output);
        return output;
    }

    /// <summary>Tells the alert lifecycle the model gave up on the alert; returns the events it caused.</summary>
    public List<PipelineEvent> VerdictFailed(string alertId)
    {
        var output = new List<PipelineEvent>();
        lock (_gate) _pipeline?.VerdictFailed(alertId, output);
        return output;
    }

    /// <summary>
    /// The pipeline for this frame's size. A camera that comes back with another aspect ratio gets a
    /// new one (motion state and zones depend on the size); the old one is flushed first, so its open
    /// alerts end (and held ones go out unverified) instead of staying open forever.
    /// </summary>
    private CameraPipeline PipelineFor(Frame frame, List<PipelineEvent> output)
    {
        if (_pipeline is { } p)
        {
            if (p.FrameWidth == frame.Width && p.FrameHeight == frame.Height) return p;
            _log.LogWarning("camera {Camera}: frame size changed from {OldWidth}x{OldHeight} to {Width}x{Height}; ending {Open} open alerts and starting over",
                _camera.Name, p.FrameWidth, p.FrameHeight, frame.Width, frame.Height, p.OpenAlerts.Count);
            p.Flush(output);
        }
        _pipeline = new CameraPipeline(_camera, _options.Motion, _options.Gate, _options.Keyframes,
            frame.Width, frame.Height, () => $"{_camera.Name}-{_time.GetUtcNow():yyyyMMddHHmmss}-{Interlocked.Increment(ref _alertSeq)}");
        return _pipeline;
    }
}

public sealed record LatestFrame(int Width, int Height, DateTimeOffset Utc, byte[] I420);
