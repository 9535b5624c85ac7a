using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using StreamWatch.Cli;
using StreamWatch.Config;
using StreamWatch.Core.Alerts;
using StreamWatch.Core.Config;
using StreamWatch.Core.Frames;
using StreamWatch.Core.Keyframes;
using StreamWatch.Core.Pipeline;
using StreamWatch.Core.Verdicts;
using StreamWatch.Ingest;

namespace StreamWatch.Replay;

/// <summary>A model that judges every open alert as soon as it gains keyframes; a failed verdict is said on <paramref name="Errors"/>.</summary>
public sealed record FileJudge(IVisionModel Model, TextWriter Errors);

/// <summary>
/// The frame loop `streamwatch replay` and `streamwatch index` share: a file decoded as fast as it
/// goes, every frame through the daemon's own <see cref="CameraLoop"/> with stream time counted from
/// an origin, with a judge each open alert that gained keyframes judged right after its frame (in
/// stream order, so the result does not depend on the machine's speed), each frame's events handed
/// on in order, then the flush (open alerts end).
/// </summary>
public static class FileLoop
{
    /// <summary>ffmpeg on the camera's file, opened; a file that does not decode is a usage error.</summary>
    public static async Task<FfmpegFrameSource> OpenAsync(CameraOptions camera, CancellationToken ct)
    {
        var source = await FfmpegFrameSource.StartAsync(camera, replay: true, NullLogger.Instance, TimeProvider.System, ct: ct);
        try
        {
            if (await source.OpenAsync(ct)) return source;
            throw new UsageException($"'{camera.Url}' could not be decoded: {source.RecentErrors}");
        }
        catch
        {
            await source.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Runs the file to its end. <paramref name="framed"/> sees each frame after the loop (its offset
    /// continued), before it goes back to the pool; <paramref name="handle"/> gets every event.
    /// </summary>
    public static async Task RunAsync(FfmpegFrameSource source, CameraOptions camera, AppOptions options, DateTimeOffset origin,
        Action<Frame> framed, Func<PipelineEvent, ValueTask> handle, FileJudge? judge, ILogger log, CancellationToken ct)
    {
        var loop = new CameraLoop(camera, options.Motion, options.Gate, options.Keyframes, log);
        var events = new List<PipelineEvent>();

        async Task Drain()
        {
            foreach (var e in events) await handle(e);
            events.Clear();
        }

        while (await source.ReadFrameAsync(ct) is { } frame)
        {
            try
            {
                frame.CapturedUtc = origin + frame.Offset;
                loop.Frame(frame, events);
                framed(frame);
            }
            finally { source.Pool!.Return(frame); }
            if (judge != null && loop.AlertKeyframesGained)
                foreach (var alert in loop.OpenAlerts.ToList())
                    await JudgeAsync(loop, judge, alert, options.Keyframes.MaxPerRequest, events, ct);
            await Drain();
        }
        loop.Flush(events);
        await Drain();
    }

    private static async Task JudgeAsync(CameraLoop loop, FileJudge judge, Alert alert, int max, List<PipelineEvent> events, CancellationToken ct)
    {
        var profile = loop.Camera.Rules.First(r => r.Name == alert.Rule).Profile!;
        try
        {
            var request = new VerdictRequest(alert.Camera, alert.Rule, profile, KeyframePicker.Pick(alert.Keyframes, max), DateTimeOffset.MaxValue);
            loop.Verdict(alert.Id, await judge.Model.JudgeAsync(request, ct), events);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            judge.Errors.WriteLine($"streamwatch: model {judge.Model.Name} gave no verdict for {alert.Id}: {e.Message}");
            loop.VerdictFailed(alert.Id, events);
        }
    }
}
