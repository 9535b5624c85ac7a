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

    public CameraWorker(CameraOptions camera, AppOptions options, ILogger log, TimeProvider time)
    {
        _camera = camera; _options = options; _log = log; _time = time;
    }

    public string Name => _camera.Name;

    /// <summary>
    /// Events of this camera. Subscribing starts ffmpeg; cancelling <paramref name="stop"/> stops it,
    /// flushes the pipeline (open alerts end) and completes the stream.
    /// </summary>
    public IObservable<PipelineEvent> Events(CancellationToken stop) => Observable.Create<PipelineEvent>(async (observer, ct) =>
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, stop);
        await RunAsync(observer, linked.Token);
    });

    private async Task RunAsync(IObserver<PipelineEvent> observer, CancellationToken ct)
    {
        var tag = new KeyValuePair<string, object?>("camera", _camera.Name);
        await using var source = new CameraSource(_camera, _log, _time);
        var frames = Channel.CreateBounded<Frame>(
            new BoundedChannelOptions(_options.Output.FrameQueueCapacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true, SingleWriter = true },
            dropped => { StreamWatchMetrics.FramesDropped.Add(1, tag); source.Pool.Return(dropped); });

        var analysis = Task.Run(async () =>
        {
            var output = new List<PipelineEvent>();
            await foreach (var frame in frames.Reader.ReadAllAsync(CancellationToken.None))
            {
                output.Clear();
                try
                {
                    StreamWatchMetrics.DecodeLag.Record((_time.GetUtcNow() - frame.CapturedUtc).TotalSeconds, tag);
                    var start = _time.GetTimestamp();
                    lock (_gate) PipelineFor(frame).Process(frame, output);
                    StreamWatchMetrics.StageLatency.Record(_time.GetElapsedTime(start).TotalSeconds, tag, new("stage", "gate"));
                }
                catch (Exception e)
                {
                    _log.LogError(e, "camera {Camera}: analysis failed on frame {Sequence}", _camera.Name, frame.Sequence);
                }
                finally { source.Pool.Return(frame); }
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

    /// <summary>Hands a model verdict to the alert lifecycle; returns the events it caused.</summary>
    public List<PipelineEvent> ApplyVerdict(string alertId, Verdict verdict)
    {
        var output = new List<PipelineEvent>();
        lock (_gate) _pipeline?.ApplyVerdict(alertId, verdict, output);
        return output;
    }

    private CameraPipeline PipelineFor(Frame frame)
    {
        if (_pipeline is { } p && p.FrameWidth == frame.Width && p.FrameHeight == frame.Height) return p;
        _pipeline = new CameraPipeline(_camera, _options.Motion, _options.Gate, _options.Keyframes,
            frame.Width, frame.Height, () => $"{_camera.Name}-{_time.GetUtcNow():yyyyMMddHHmmss}-{Interlocked.Increment(ref _alertSeq)}");
        return _pipeline;
    }
}
