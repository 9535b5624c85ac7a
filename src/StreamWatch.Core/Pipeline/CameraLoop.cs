using Microsoft.Extensions.Logging;
using StreamWatch.Core.Alerts;
using StreamWatch.Core.Config;
using StreamWatch.Core.Frames;
using StreamWatch.Core.Gate;
using StreamWatch.Core.Keyframes;
using StreamWatch.Core.Motion;
using StreamWatch.Core.Verdicts;

namespace StreamWatch.Core.Pipeline;

/// <summary>
/// What one camera's loop does with each message, the same for the live daemon and
/// <c>streamwatch replay</c>: stream time continues across ffmpeg restarts, a frame of another size
/// flushes the pipeline and starts a new one, verdicts and failures go to the alert lifecycle, an
/// offline camera's motion state resets. Single-threaded: only the camera's loop calls it.
/// </summary>
public sealed class CameraLoop(CameraOptions camera, MotionOptions motion, GateOptions gate, KeyframeOptions keyframes, ILogger log)
{
    private readonly AlertIds _ids = new(camera.Name);
    private CameraPipeline? _pipeline;
    private TimeSpan _offsetBase, _lastRaw = TimeSpan.MinValue, _lastOffset;

    public CameraOptions Camera => camera;
    public bool GateOpen => _pipeline?.GateOpen ?? false;
    /// <summary>Where the last analysed frame moved (for the annotated latest.jpg).</summary>
    public Frames.Box? LastMoving => _pipeline?.LastMoving;
    /// <summary>Stream time of the last frame (continued across restarts).</summary>
    public TimeSpan LastOffset => _lastOffset;
    public IReadOnlyCollection<Alert> OpenAlerts => _pipeline?.OpenAlerts ?? [];
    /// <summary>The last frame gave an open alert keyframes it did not have: time to (re)judge it.</summary>
    public bool AlertKeyframesGained => _pipeline?.AlertKeyframesGained ?? false;

    /// <summary>Runs one frame (its offset is rewritten to continue the camera's stream time).</summary>
    public void Frame(Frame frame, List<PipelineEvent> output)
    {
        ContinueOffsets(frame);
        PipelineFor(frame, output).Process(frame, output);
    }

    public void Verdict(string alertId, Verdict verdict, List<PipelineEvent> output) => _pipeline?.ApplyVerdict(alertId, verdict, output);

    public void VerdictFailed(string alertId, List<PipelineEvent> output) => _pipeline?.VerdictFailed(alertId, output);

    /// <summary>The stream stopped: the next frame has no predecessor to compare with.</summary>
    public void Offline() => _pipeline?.Reset();

    /// <summary>End of stream or shutdown: the gate closes and every open alert ends.</summary>
    public void Flush(List<PipelineEvent> output) => _pipeline?.Flush(output);

    /// <summary>
    /// Each ffmpeg run counts offsets from 0; the camera's stream time goes on across restarts so
    /// that gate, cooldowns and alert times never run backwards.
    /// </summary>
    private void ContinueOffsets(Frame frame)
    {
        var raw = frame.Offset;
        if (raw <= _lastRaw) _offsetBase = _lastOffset + TimeSpan.FromSeconds(1 / camera.AnalysisFps) - raw;
        _lastRaw = raw;
        frame.Offset = raw + _offsetBase;
        _lastOffset = frame.Offset;
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
            log.LogWarning("camera {Camera}: frame size changed from {OldWidth}x{OldHeight} to {Width}x{Height}; ending {Open} open alerts and starting over",
                camera.Name, p.FrameWidth, p.FrameHeight, frame.Width, frame.Height, p.OpenAlerts.Count);
            p.Flush(output);
        }
        return _pipeline = new CameraPipeline(camera, motion, gate, keyframes, frame.Width, frame.Height, _ids.Next);
    }
}
