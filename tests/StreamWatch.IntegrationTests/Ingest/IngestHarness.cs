using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using StreamWatch.Core.Config;
using StreamWatch.Core.Frames;
using StreamWatch.Core.Pipeline;
using StreamWatch.Ingest;
using StreamWatch.IntegrationTests.Support;

namespace StreamWatch.IntegrationTests.Ingest;

/// <summary>Collects every log line (all levels), formatted as a console logger would.</summary>
public sealed class CapturingLogger : ILogger
{
    private readonly ConcurrentQueue<string> _lines = new();
    public IReadOnlyCollection<string> Lines => _lines;
    public event Action? Logged;
    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
    public bool IsEnabled(LogLevel logLevel) => true;
    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        _lines.Enqueue($"{logLevel}: {formatter(state, exception)}{(exception == null ? "" : " " + exception)}");
        Logged?.Invoke();
    }
}

public sealed record FrameInfo(long Sequence, TimeSpan Offset, DateTimeOffset CapturedUtc, int Width, int Height, int LumaSpread);

/// <summary>Runs a <see cref="CameraSource"/> and records what it delivers; conditions can be awaited.</summary>
public sealed class CameraRun : IAsyncDisposable
{
    private readonly CancellationTokenSource _cts = new();
    private readonly ConcurrentQueue<FrameInfo> _frames = new();
    private readonly ConcurrentQueue<CameraStateChanged> _states = new();
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public CameraRun(CameraOptions camera)
    {
        Logger = new CapturingLogger();
        Logger.Logged += Pulse;
        Source = new CameraSource(camera, Logger, TimeProvider.System);
        Task = Source.RunAsync(OnFrame, s => { _states.Enqueue(s); Pulse(); }, _cts.Token);
        _ = Task.ContinueWith(_ => Pulse(), TaskScheduler.Default);
    }

    public CapturingLogger Logger { get; }
    public CameraSource Source { get; }
    public Task Task { get; }
    public IReadOnlyList<FrameInfo> Frames => _frames.ToList();
    public IReadOnlyList<CameraStateChanged> States => _states.ToList();

    private bool OnFrame(Frame f)
    {
        var luma = f.Luma;
        int min = 255, max = 0;
        for (var i = 0; i < luma.Length; i += 97) { min = Math.Min(min, luma[i]); max = Math.Max(max, luma[i]); }
        _frames.Enqueue(new FrameInfo(f.Sequence, f.Offset, f.CapturedUtc, f.Width, f.Height, max - min));
        Pulse();
        if (f.Sequence % 2 == 1) return false; // rejected: the source gives it back to its pool
        Source.Return(f);                      // accepted: the consumer gives it back when done
        return true;
    }

    private void Pulse() => Interlocked.Exchange(ref _changed, new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    /// <summary>Waits until <paramref name="condition"/> holds, re-checking on each frame, state change or end of the run.</summary>
    public async Task WaitUntilAsync(Func<CameraRun, bool> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var changed = Volatile.Read(ref _changed).Task;
            if (condition(this)) return;
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero || Task.IsFaulted)
                throw new TimeoutException($"not within {timeout}: {what}; states: {string.Join(", ", States.Select(s => $"{(s.Online ? "online" : "offline")}({s.Reason.Text()})"))}; " +
                    $"frames: {_frames.Count}; run: {Task.Status} {Task.Exception?.GetBaseException().Message}\nlog:\n{string.Join("\n", Logger.Lines.TakeLast(30))}");
            await System.Threading.Tasks.Task.WhenAny(changed, System.Threading.Tasks.Task.Delay(left));
        }
    }

    public async Task StopAsync()
    {
        _cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Task);
    }

    public async ValueTask DisposeAsync()
    {
        _cts.Cancel();
        try { await Task.WaitAsync(TimeSpan.FromSeconds(30)); } catch (OperationCanceledException) { }
        await Source.DisposeAsync();
    }
}

public static class Clips
{
    /// <summary>An H.264 MP4 from lavfi's testsrc2 (moving test pattern).</summary>
    public static async Task<string> Mp4Async(double seconds, int width = 640, int height = 360)
    {
        var path = Path.Combine(Repo.TempDir("ingest-clip"), "clip.mp4");
        await using var ff = ChildProcess.Start("ffmpeg",
            ["-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i", $"testsrc2=size={width}x{height}:rate=25",
             "-t", seconds.ToString(System.Globalization.CultureInfo.InvariantCulture), "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", path]);
        Assert.Equal(0, await ff.WaitExitAsync(TimeSpan.FromSeconds(120)));
        return path;
    }
}

public static class Proc
{
    /// <summary>Whether the process still runs (a zombie waiting to be reaped counts as gone).</summary>
    public static bool Alive(int pid, string comm)
    {
        try
        {
            if (File.ReadAllText($"/proc/{pid}/comm").Trim() != comm) return false;
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..][0] is not ('Z' or 'X');
        }
        catch (IOException) { return false; }
    }

    public static async Task WaitGoneAsync(int pid, string comm, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (Alive(pid, comm))
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{comm} (pid {pid}) still runs after {timeout}");
            await Task.Delay(50); // retry interval of a bounded wait for a condition the kernel decides
        }
    }
}

/// <summary>Sums StreamWatch counter measurements for one camera (tests run in parallel: filter by camera).</summary>
public sealed class CounterProbe : StreamWatch.Core.Telemetry.IMetricsRecorder, IDisposable
{
    private readonly ConcurrentDictionary<string, long> _sums = new();
    private readonly string _camera;
    private readonly IDisposable _attached;

    public CounterProbe(string camera)
    {
        _camera = camera;
        _attached = StreamWatch.Core.Telemetry.Metric.Attach(this);
    }

    public void Add(StreamWatch.Core.Telemetry.CounterMetric counter, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        string? cam = null, reason = null;
        foreach (var t in tags)
        {
            if (t.Key == "camera") cam = t.Value as string;
            if (t.Key == "reason") reason = t.Value as string;
        }
        if (cam != _camera) return;
        var name = counter.Name["streamwatch_".Length..^"_total".Length];
        _sums.AddOrUpdate(name, (long)value, (_, v) => v + (long)value);
        if (reason != null) _sums.AddOrUpdate($"{name}:{reason}", (long)value, (_, v) => v + (long)value);
    }

    public void Record(StreamWatch.Core.Telemetry.HistogramMetric histogram, double seconds, ReadOnlySpan<KeyValuePair<string, object?>> tags) { }

    /// <summary>Total of a counter without prefix and _total ("frames_decoded") or of one reason ("stream_errors:stalled").</summary>
    public long this[string key] => _sums.GetValueOrDefault(key);

    public void Dispose() => _attached.Dispose();
}
