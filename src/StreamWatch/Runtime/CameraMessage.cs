using StreamWatch.Core.Frames;
using StreamWatch.Core.Pipeline;
using StreamWatch.Core.Verdicts;

namespace StreamWatch.Runtime;

/// <summary>What reaches a camera's loop, in its inbox: a frame, a verdict, a verdict failure, an online/offline change.</summary>
public readonly record struct CameraMessage(Frame? Frame, string? AlertId, Verdict? Verdict, CameraStateChanged? State)
{
    public static CameraMessage FrameOf(Frame frame) => new(frame, null, null, null);
    public static CameraMessage VerdictOf(string alertId, Verdict verdict) => new(null, alertId, verdict, null);
    /// <summary>The model gave up on the alert (error, bad answer, deadline, full queue).</summary>
    public static CameraMessage FailureOf(string alertId) => new(null, alertId, null, null);
    public static CameraMessage StateOf(CameraStateChanged state) => new(null, null, null, state);
}
