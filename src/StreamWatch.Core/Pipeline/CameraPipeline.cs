using StreamWatch.Core.Alerts;
using StreamWatch.Core.Config;
using StreamWatch.Core.Frames;
using StreamWatch.Core.Gate;
using StreamWatch.Core.Keyframes;
using StreamWatch.Core.Motion;
using StreamWatch.Core.Rules;
using StreamWatch.Core.Telemetry;
using StreamWatch.Core.Verdicts;

namespace StreamWatch.Core.Pipeline;

/// <summary>
/// The decisions for one camera, frame by frame: grey analysis plane → optical-flow motion →
/// gate → keyframes → rules → alert lifecycle. Pure and single-threaded: the live daemon and
/// <c>streamwatch replay</c> drive the same object, so replay shows exactly what the daemon does.
/// </summary>
public sealed class CameraPipeline
{
    private readonly CameraOptions _camera;
    private readonly MotionAnalyzer _motion;
    private readonly MotionGate _gate;
    private readonly KeyframeSelector _keyframes;
    private readonly IRule[] _rules;
    private readonly AlertTracker _alerts;
    private readonly List<Keyframe> _newKeyframes = new();
    private readonly List<RuleHit> _hits = new();
    private readonly List<Alert> _alertOut = new();
    private readonly KeyValuePair<string, object?> _cameraTag;
    private TimeSpan _lastOffset;
    private DateTimeOffset _lastUtc;
    private readonly byte[] _grey;

    public CameraPipeline(CameraOptions camera, MotionOptions motion, GateOptions gate, KeyframeOptions keyframes,
        int frameWidth, int frameHeight, Func<string, DateTimeOffset, string> newAlertId)
    {
        _camera = camera;
        FrameWidth = frameWidth;
        FrameHeight = frameHeight;
        (AnalysisWidth, AnalysisHeight) = AnalysisSize(camera.AnalysisWidth, frameWidth, frameHeight);
        _grey = new byte[AnalysisWidth * AnalysisHeight];
        _motion = new MotionAnalyzer(motion, AnalysisWidth, AnalysisHeight, camera.MaskPolygons());
        _gate = new MotionGate(gate);
        _keyframes = new KeyframeSelector(keyframes, camera.Name);
        _rules = camera.Rules.Select(r => RuleFactory.Create(r, camera.Zones, motion.GridColumns, motion.GridRows, AnalysisWidth, AnalysisHeight)).ToArray();
        _alerts = new AlertTracker(camera.Name, camera.Rules, newAlertId, keyframes.MaxPerEvent);
        _cameraTag = new("camera", camera.Name);
    }

    public string Camera => _camera.Name;
    public int FrameWidth { get; }
    public int FrameHeight { get; }
    public int AnalysisWidth { get; }
    public int AnalysisHeight { get; }
    public bool GateOpen => _gate.IsOpen;
    /// <summary>Where the last processed frame's pixels changed (MotionResult.ChangedBounds); null when still.</summary>
    public Box? LastMoving { get; private set; }
    public IReadOnlyCollection<Alert> OpenAlerts => _alerts.Open;
    /// <summary>The last <see cref="Process"/> gave an open alert keyframes it did not have: time to (re)judge it.</summary>
    public bool AlertKeyframesGained => _alerts.KeyframesGained;

    /// <summary>The grey analysis plane: <paramref name="analysisWidth"/> wide (at most the frame's
    /// width), height following the aspect ratio, both even.</summary>
    public static (int Width, int Height) AnalysisSize(int analysisWidth, int width, int height)
    {
        var w = Math.Max(2, Math.Min(analysisWidth, width) & ~1);
        var h = Math.Max(2, (int)Math.Round((double)w * height / width / 2) * 2);
        return (w, h);
    }

    /// <summary>Runs one frame; appends what happened to <paramref name="output"/>. The frame may be returned to its pool afterwards.</summary>
    public void Process(Frame frame, List<PipelineEvent> output)
    {
        GreyScaler.Downscale(frame.Luma, frame.Width, frame.Height, _grey, AnalysisWidth, AnalysisHeight);
        var m = _motion.Analyze(_grey);
        var transition = _gate.Update(m.Score, frame.Offset);
        StreamWatchMetrics.FramesAnalysed.Add(1, _cameraTag);
        if (_gate.IsOpen && _lastOffset < frame.Offset && transition != GateTransition.Opened)
            StreamWatchMetrics.GateOpenTime.Add((frame.Offset - _lastOffset).TotalSeconds, _cameraTag);
        _lastOffset = frame.Offset;
        _lastUtc = frame.CapturedUtc;

        if (transition == GateTransition.Opened)
        {
            StreamWatchMetrics.GateOpenings.Add(1, _cameraTag);
            output.Add(new MotionChanged(Camera, frame.CapturedUtc, frame.Offset, true, m.Score));
        }

        _newKeyframes.Clear();
        LastMoving = m.ChangedBounds();
        _keyframes.Offer(frame, m.Score, _gate.IsOpen, transition, _newKeyframes, LastMoving);
        foreach (var k in _newKeyframes)
        {
            StreamWatchMetrics.KeyframesSelected.Add(1, _cameraTag);
            output.Add(new KeyframeSelected(Camera, k.CapturedUtc, k.Offset, k));
        }

        _hits.Clear();
        foreach (var rule in _rules)
            if (rule.Evaluate(m, _gate.IsOpen, frame.Offset) is { } hit) _hits.Add(hit);
        _alertOut.Clear();
        _alerts.Update(_hits, frame.Offset, frame.CapturedUtc, _newKeyframes, _alertOut);
        // Keyframes thin out as an event ages: an alert opening late in one (held for verification
        // or not) may have none to adopt.
        if (_alerts.NeedsKeyframe) _keyframes.RequestKeyframe();
        Emit(_alertOut, output);

        if (transition == GateTransition.Closed)
        {
            output.Add(new MotionChanged(Camera, frame.CapturedUtc, frame.Offset, false, m.Score));
        }
    }

    /// <summary>A model verdict for an open alert (called on the same thread as Process).</summary>
    public void ApplyVerdict(string alertId, Verdict verdict, List<PipelineEvent> output)
    {
        _alertOut.Clear();
        _alerts.ApplyVerdict(alertId, verdict, _lastOffset, _lastUtc, _alertOut);
        Emit(_alertOut, output);
    }

    /// <summary>The model gave up on a verdict for the alert (called on the same thread as Process).</summary>
    public void VerdictFailed(string alertId, List<PipelineEvent> output)
    {
        _alertOut.Clear();
        _alerts.VerdictFailed(alertId, _lastOffset, _lastUtc, _alertOut);
        Emit(_alertOut, output);
    }

    /// <summary>End of stream or shutdown: closes the gate and every open alert.</summary>
    public void Flush(List<PipelineEvent> output)
    {
        _newKeyframes.Clear();
        if (_gate.IsOpen)
        {
            _keyframes.Flush(_newKeyframes);
            foreach (var k in _newKeyframes) output.Add(new KeyframeSelected(Camera, k.CapturedUtc, k.Offset, k));
            output.Add(new MotionChanged(Camera, _lastUtc, _lastOffset, false, 0));
        }
        _alertOut.Clear();
        _alerts.Flush(_lastOffset, _lastUtc, _alertOut);
        Emit(_alertOut, output);
        _gate.Reset();
        _motion.Reset();
    }

    /// <summary>The stream restarted: the next frame has no predecessor to compare with.</summary>
    public void Reset() => _motion.Reset();

    private void Emit(List<Alert> alerts, List<PipelineEvent> output)
    {
        foreach (var a in alerts)
        {
            StreamWatchMetrics.Alerts.Add(1, new("camera", Camera), new("rule", a.Rule), new("phase", EventJson.Phase(a.Phase)));
            output.Add(new AlertChanged(Camera, a.End ?? _lastUtc, a.Offset, a));
        }
    }
}
