using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using StreamWatch.Config;
using StreamWatch.Core.Config;
using StreamWatch.Core.Frames;
using StreamWatch.Core.Pipeline;
using StreamWatch.Ingest;

namespace StreamWatch.Replay;

/// <summary>What a replay saw, for the summary line and for `streamwatch eval`.</summary>
public sealed record ReplayResult(long Frames, long Analysed, int Keyframes, double WallSeconds, double DurationSeconds,
    IReadOnlyList<(double Start, double End)> GateIntervals);

/// <summary>
/// Drives the daemon's own camera loop through <see cref="FileLoop"/> (offset continuation, frame-size
/// flush, the same alert ids) over frames from a file as fast as they decode, writing event lines
/// (docs/events.md). Deterministic: no wall clock, the stream starts at 1970-01-01T00:00:00Z.
/// </summary>
public static class ReplayEngine
{
    public static async Task<ReplayResult> RunAsync(FfmpegFrameSource source, CameraOptions camera, AppOptions options, TextWriter? output, ILogger log, CancellationToken ct)
    {
        var sw = Stopwatch.StartNew();
        var gate = new List<(double, double)>();
        double? openedAt = null;
        long count = 0;
        var keyframes = 0;
        TimeSpan last = TimeSpan.Zero, step = TimeSpan.Zero;

        void Framed(Frame frame)
        {
            count++;
            step = frame.Offset - last;
            last = frame.Offset;
        }

        ValueTask Write(PipelineEvent e)
        {
            switch (e)
            {
                case MotionChanged { Active: true } m: openedAt = m.Offset.TotalSeconds; break;
                case MotionChanged { Active: false } m when openedAt is { } o: gate.Add((o, m.Offset.TotalSeconds)); openedAt = null; break;
                case KeyframeSelected: keyframes++; break;
            }
            if (output != null && EventJson.Format(e, wallClock: false) is { } line) output.WriteLine(line);
            return ValueTask.CompletedTask;
        }

        await FileLoop.RunAsync(source, camera, options, DateTimeOffset.UnixEpoch, Framed, Write, judge: null, log, ct);
        var duration = (last + step).TotalSeconds;
        if (openedAt is { } stillOpen) gate.Add((stillOpen, duration));
        // every decoded frame is analysed: ffmpeg already sampled the file at the camera's AnalysisFps
        var result = new ReplayResult(count, count, keyframes, sw.Elapsed.TotalSeconds, duration, gate);
        output?.WriteLine(JsonSerializer.Serialize(new
        {
            type = "summary", frames = result.Frames, analysed = result.Analysed, keyframes = result.Keyframes,
            wall_s = Math.Round(result.WallSeconds, 3),
        }));
        output?.Flush();
        return result;
    }
}
