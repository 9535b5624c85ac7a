using System.ComponentModel;
using Microsoft.Extensions.Logging;
using StreamWatch.Core.Config;
using StreamWatch.Core.Frames;
using StreamWatch.Core.Pipeline;
using StreamWatch.Core.Telemetry;

namespace StreamWatch.Ingest;

/// <summary>
/// A live camera: runs ffmpeg (<see cref="FfmpegFrameSource"/>), restarts it when it exits or when
/// the watchdog sees no frame for <see cref="CameraOptions.StallTimeoutSeconds"/>, waiting
/// <see cref="Backoff"/> delays in between, and reports online/offline. ffmpeg children are forked
/// from this camera's own spawner thread with a parent-death signal, so none outlives the daemon.
/// </summary>
public sealed class CameraSource : IAsyncDisposable
{
    private readonly CameraOptions _camera;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly ProcessSpawner _spawner;
    private readonly CameraHealth _health;
    private readonly Backoff _backoff = new();
    private readonly KeyValuePair<string, object?> _tag;
    private readonly CancellationTokenSource _disposed = new();
    private volatile FfmpegFrameSource? _current;
    private TimeSpan _lastOffset;

    public CameraSource(CameraOptions camera, ILogger logger, TimeProvider time)
    {
        _camera = camera;
        _logger = logger;
        _time = time;
        _spawner = new ProcessSpawner(camera.Name);
        _health = new CameraHealth(camera.Name);
        _tag = new("camera", camera.Name);
    }

    public string Name => _camera.Name;

    /// <summary>The pool of the current run's frame size (null before the first frame).</summary>
    public FramePool? Pool { get; private set; }

    /// <summary>Gives a frame the consumer accepted back (to the pool of its size).</summary>
    public void Return(Frame frame) => Pool?.Return(frame);

    /// <summary>The running ffmpeg's process id, if any (for tests).</summary>
    internal int? ProcessId => _current?.ProcessId;

    /// <summary>
    /// Reads frames until cancelled (then throws <see cref="OperationCanceledException"/>) or until a
    /// file that is not looped ends (then returns). A dead or stalled camera never throws: it is
    /// reported offline and retried. <paramref name="onFrame"/> runs on the reading loop; returning
    /// true hands the frame over (the consumer later calls <see cref="Return"/>), false gives it back
    /// at once. <paramref name="onState"/> receives every online/offline change.
    /// </summary>
    public async Task RunAsync(Func<Frame, bool> onFrame, Action<CameraStateChanged> onState, CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _disposed.Token);
        var ct = linked.Token;
        // Stopping first closes the spawner: once Cancel returns, no ffmpeg starts any more.
        using var closeOnCancel = ct.Register(_spawner.Close);
        _logger.LogInformation("camera {Camera}: reading {Url}", _camera.Name, UrlRedactor.Redact(_camera.Url));
        var canEnd = FfmpegArguments.CanEnd(_camera, replay: false);
        var first = true;
        var darkSince = _time.GetTimestamp(); // when the last run with frames ended (or the camera started)
        void StopIfCancelled()
        {
            if (!ct.IsCancellationRequested) return;
            Report(onState, _health.OnStopped(_time.GetUtcNow(), _lastOffset, CameraStateReason.Stopped));
            ct.ThrowIfCancellationRequested();
        }
        while (true)
        {
            if (!first) StreamWatchMetrics.DecoderRestarts.Add(1, _tag);
            first = false;
            var (reason, healthyFor, detail) = await RunOnceAsync(onFrame, onState, ct);
            StopIfCancelled();
            if (canEnd && reason == CameraStateReason.Ended)
            {
                _logger.LogInformation("camera {Camera}: file ended", _camera.Name);
                Report(onState, _health.OnStopped(_time.GetUtcNow(), _lastOffset, CameraStateReason.Ended));
                return;
            }
            StreamWatchMetrics.StreamErrors.Add(1, _tag, new("reason", reason.Text()));
            if (healthyFor > TimeSpan.Zero) darkSince = _time.GetTimestamp();
            var delay = _backoff.Next(healthyFor, _time.GetElapsedTime(darkSince));
            _logger.LogWarning("camera {Camera}: stream {Reason} ({Detail}); restarting in {Delay:0.#} s",
                _camera.Name, reason.Text(), UrlRedactor.Redact(detail), delay.TotalSeconds);
            Report(onState, _health.OnStopped(_time.GetUtcNow(), _lastOffset, reason));
            await Task.Delay(delay, _time, ct).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            StopIfCancelled(); // a stop during the delay starts no ffmpeg
        }
    }

    /// <summary>One ffmpeg run. Returns why it ended: ended (exit 0), disconnected (live exit 0),
    /// ffmpeg_error, stalled, bad_stream or start_failed — and how long frames flowed.</summary>
    private async Task<(CameraStateReason Reason, TimeSpan HealthyFor, string Detail)> RunOnceAsync(
        Func<Frame, bool> onFrame, Action<CameraStateChanged> onState, CancellationToken ct)
    {
        FfmpegFrameSource src;
        try { src = await FfmpegFrameSource.StartAsync(_camera, replay: false, _logger, _time, _spawner, ct); }
        catch (Exception e) when (e is Win32Exception or ObjectDisposedException or InvalidOperationException or OperationCanceledException)
        {
            return (CameraStateReason.StartFailed, TimeSpan.Zero, e.Message);
        }
        _current = src;
        var watchdog = new StallWatchdog(_time, TimeSpan.FromSeconds(_camera.StallTimeoutSeconds));
        var stalled = 0;
        using var timer = _time.CreateTimer(_ =>
        {
            if (watchdog.IsStalled && Interlocked.Exchange(ref stalled, 1) == 0) src.Kill();
        }, null, watchdog.CheckInterval, watchdog.CheckInterval);
        using var killOnCancel = ct.Register(src.Kill);
        long firstFrame = 0;
        string? badStream = null;
        try
        {
            if (await src.OpenAsync(CancellationToken.None, Pool))
            {
                Pool = src.Pool;
                while (await src.ReadFrameAsync(CancellationToken.None) is { } frame)
                {
                    watchdog.Feed();
                    _lastOffset = frame.Offset;
                    if (firstFrame == 0) firstFrame = _time.GetTimestamp();
                    Report(onState, _health.OnFrame(frame.CapturedUtc, frame.Offset));
                    if (!onFrame(frame)) src.Pool!.Return(frame);
                }
            }
        }
        catch (Exception e) when (e is InvalidDataException or IOException)
        {
            badStream = e.Message;
            src.Kill();
        }
        catch
        {
            await src.DisposeAsync(); // a consumer's exception: no ffmpeg left behind
            throw;
        }
        finally
        {
            _current = null;
        }
        var exit = await src.WaitForExitAsync(TimeSpan.FromSeconds(5));
        var detail = $"exit code {exit}; {src.RecentErrors}";
        await src.DisposeAsync();
        var healthy = firstFrame == 0 ? TimeSpan.Zero : _time.GetElapsedTime(firstFrame);
        if (badStream != null) return (CameraStateReason.BadStream, healthy, badStream);
        if (stalled == 1) return (CameraStateReason.Stalled, healthy, $"no frame for {_camera.StallTimeoutSeconds} s; {detail}");
        if (exit != 0) return (CameraStateReason.FfmpegError, healthy, detail);
        return (FfmpegArguments.Kind(_camera.Url) == InputKind.File ? CameraStateReason.Ended : CameraStateReason.Disconnected, healthy, detail);
    }

    private void Report(Action<CameraStateChanged> onState, CameraStateChanged? e)
    {
        if (e == null) return;
        if (e.Online) _logger.LogInformation("camera {Camera}: online", _camera.Name);
        else _logger.LogWarning("camera {Camera}: offline ({Reason})", _camera.Name, e.Reason.Text());
        onState(e);
    }

    /// <summary>Stops a running <see cref="RunAsync"/> (it throws OperationCanceledException) and kills ffmpeg.</summary>
    public ValueTask DisposeAsync()
    {
        _disposed.Cancel();
        _current?.Kill();
        _spawner.Dispose();
        return ValueTask.CompletedTask;
    }
}
