using Microsoft.Extensions.Logging;
using StreamWatch.Core.Frames;
using StreamWatch.Core.Pipeline;

namespace StreamWatch.Sinks;

/// <summary>Structured log lines for camera state, motion and alerts (keyframes at debug level).</summary>
public sealed class LogSink(ILogger log) : IEventSink
{
    public string Name => "log";

    public ValueTask HandleAsync(PipelineEvent e, CancellationToken cancellationToken)
    {
        var at = Timecode.Offset(e.Offset);
        switch (e)
        {
            case CameraStateChanged s:
                log.LogInformation("camera {Camera} {State}: {Reason}", s.Camera, s.Online ? "online" : "offline", s.Reason.Text());
                break;
            case MotionChanged m:
                log.LogInformation("camera {Camera} motion {State} at {Offset} (score {Score:0.00})", m.Camera, m.Active ? "start" : "end", at, m.Score);
                break;
            case KeyframeSelected k:
                log.LogDebug("camera {Camera} keyframe at {Offset} (score {Score:0.00})", k.Camera, at, k.Keyframe.Score);
                break;
            case AlertChanged a:
                var verdict = a.Alert.Label != null ? $" — {a.Alert.Label} ({a.Alert.Confidence:0.00}): {a.Alert.Description}"
                    : a.Alert.Unverified ? " — unverified (the model could not judge it)" : "";
                log.LogInformation("ALERT {Phase} {Rule} on {Camera} at {Offset} (id {Id}, {Severity}, zone {Zone}){Verdict}",
                    EventJson.Phase(a.Alert.Phase), a.Alert.Rule, a.Camera, at, a.Alert.Id, a.Alert.Severity, a.Alert.Zone ?? "-", verdict);
                break;
        }
        return ValueTask.CompletedTask;
    }
}
