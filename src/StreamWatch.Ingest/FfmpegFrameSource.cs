using System.Diagnostics;
using Microsoft.Extensions.Logging;
using StreamWatch.Core.Config;
using StreamWatch.Core.Frames;
using StreamWatch.Core.State;
using StreamWatch.Core.Telemetry;

namespace StreamWatch.Ingest;

/// <summary>
/// One run of ffmpeg for a camera: start, read the stream header, read frames until the stream
/// ends, no restarts. <see cref="CameraSource"/> supervises these for live cameras; replay uses one
/// directly (<c>replay: true</c>: as fast as it decodes). Frames come from <see cref="Pool"/>; the
/// consumer gives each back with <c>Pool.Return(frame)</c>.
/// Stamps: <see cref="Frame.Sequence"/> counts from 0 per run, <see cref="Frame.Offset"/> is
/// Sequence / fps (for a file: the position in it), <see cref="Frame.CapturedUtc"/> is the time
/// the frame was read (live) or run start + Offset (replay, so stream time drives the pipeline).
/// </summary>
public sealed class FfmpegFrameSource : IAsyncDisposable
{
    private const int StderrKept = 5;
    private readonly Process _process;
    private readonly Y4mReader _reader;
    private readonly CameraOptions _camera;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly bool _replay;
    private readonly ProcessSpawner? _ownedSpawner;
    private readonly Queue<string> _stderr = new();
    private readonly Task _stderrPump;
    private readonly KeyValuePair<string, object?> _tag;
    private readonly DateTimeOffset _startUtc;
    private readonly string? _scriptDir;
    private long _sequence;

    private FfmpegFrameSource(Process process, CameraOptions camera, bool replay, ILogger logger, TimeProvider time, ProcessSpawner? owned, string? scriptDir)
    {
        _scriptDir = scriptDir;
        _process = process;
        _camera = camera;
        _replay = replay;
        _logger = logger;
        _time = time;
        _ownedSpawner = owned;
        _tag = new("camera", camera.Name);
        _startUtc = time.GetUtcNow();
        _reader = new Y4mReader(process.StandardOutput.BaseStream);
        _stderrPump = Task.Run(PumpStderrAsync);
    }

    public int ProcessId => _process.Id;
    public Y4mHeader? Header { get; private set; }
    public FramePool? Pool { get; private set; }

    /// <summary>The last few stderr lines, credentials redacted (for the reason a run failed).</summary>
    public string RecentErrors { get { lock (_stderr) return string.Join(" | ", _stderr); } }

    /// <summary>Starts ffmpeg. With no <paramref name="spawner"/> the source owns one (replay).</summary>
    public static async Task<FfmpegFrameSource> StartAsync(CameraOptions camera, bool replay, ILogger logger, TimeProvider time, ProcessSpawner? spawner = null, CancellationToken ct = default)
    {
        var owned = spawner == null ? new ProcessSpawner(camera.Name) : null;
        string? scriptDir = null;
        try
        {
            string? script = null;
            if (FfmpegArguments.NeedsInputScript(camera))
            {
                scriptDir = Directory.CreateTempSubdirectory("streamwatch-input-").FullName; // 0700
                script = Path.Combine(scriptDir, "input.ffconcat");
                using var w = new StreamWriter(PrivateFiles.Open(script, FileMode.CreateNew, FileAccess.Write, FileShare.None));
                w.Write(FfmpegArguments.InputScript(camera, replay));
            }
            var args = FfmpegArguments.Build(camera, replay, script);
            var p = await (spawner ?? owned!).StartAsync(ProcessSpawner.StartInfo("ffmpeg", args), ct);
            logger.LogInformation("camera {Camera}: ffmpeg started (pid {Pid}): ffmpeg {Args}", camera.Name, p.Id, UrlRedactor.Redact(string.Join(' ', args)));
            return new FfmpegFrameSource(p, camera, replay, logger, time, owned, scriptDir);
        }
        catch
        {
            owned?.Dispose();
            if (scriptDir != null) Directory.Delete(scriptDir, recursive: true);
            throw;
        }
    }

    /// <summary>Reads the stream header (waits for ffmpeg's first frame). False: ffmpeg ended first.
    /// A given <paramref name="pool"/> is reused when its frame size matches.</summary>
    public async Task<bool> OpenAsync(CancellationToken ct, FramePool? pool = null)
    {
        var header = await _reader.ReadHeaderAsync(ct);
        if (header is not { } h)
        {
            await WaitForExitAsync(TimeSpan.FromSeconds(5)); // so that RecentErrors holds ffmpeg's last words
            return false;
        }
        Header = h;
        Pool = pool is { } p && p.Width == h.Width && p.Height == h.Height
            ? p : new FramePool(h.Width, h.Height);
        return true;
    }

    /// <summary>The next frame (rented from <see cref="Pool"/>), or null when the stream ended.</summary>
    [System.Runtime.CompilerServices.AsyncMethodBuilder(typeof(System.Runtime.CompilerServices.PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<Frame?> ReadFrameAsync(CancellationToken ct)
    {
        if (Pool == null || Header is not { } h) throw new InvalidOperationException("OpenAsync first");
        var frame = Pool.Rent();
        bool ok;
        try { ok = await _reader.ReadFrameAsync(frame.I420, ct); }
        catch { Pool.Return(frame); throw; }
        if (!ok) { Pool.Return(frame); return null; }
        frame.Sequence = _sequence;
        frame.Offset = FrameGeometry.Offset(_sequence, h.Fps);
        frame.CapturedUtc = _replay ? _startUtc + frame.Offset : _time.GetUtcNow();
        _sequence++;
        StreamWatchMetrics.FramesDecoded.Add(1, _tag);
        return frame;
    }

    public void Kill()
    {
        try { if (!_process.HasExited) _process.Kill(); }
        catch (InvalidOperationException) { }
        catch (System.ComponentModel.Win32Exception) { }
    }

    /// <summary>Waits for ffmpeg to exit (killing it if it does not within the grace period) and returns its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan grace)
    {
        using var cts = new CancellationTokenSource(grace);
        try { await _process.WaitForExitAsync(cts.Token); }
        catch (OperationCanceledException) { Kill(); await _process.WaitForExitAsync(); }
        await _stderrPump;
        return _process.ExitCode;
    }

    private async Task PumpStderrAsync()
    {
        try
        {
            while (await _process.StandardError.ReadLineAsync() is { } line)
            {
                var safe = UrlRedactor.Redact(line);
                _logger.LogDebug("camera {Camera}: ffmpeg: {Line}", _camera.Name, safe);
                lock (_stderr)
                {
                    _stderr.Enqueue(safe);
                    if (_stderr.Count > StderrKept) _stderr.Dequeue();
                }
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException) { }
    }

    public async ValueTask DisposeAsync()
    {
        Kill();
        await WaitForExitAsync(TimeSpan.FromSeconds(5));
        // Process.Dispose leaves streams read synchronously open (until a GC): close both pipes here.
        _process.StandardOutput.Dispose();
        _process.StandardError.Dispose();
        _process.Dispose();
        _ownedSpawner?.Dispose();
        if (_scriptDir != null) Directory.Delete(_scriptDir, recursive: true);
    }
}
