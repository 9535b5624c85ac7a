namespace StreamWatch.Core.Keyframes;

/// <summary>
/// A frame chosen for the model and for snapshots. Owns a copy of the I420 image at inference
/// resolution, so it outlives the pooled frame it came from. <see cref="Moving"/> bounds the pixels
/// that changed on that frame (null when none did), for annotated snapshots.
/// </summary>
public sealed record Keyframe(
    string Camera,
    DateTimeOffset CapturedUtc,
    TimeSpan Offset,
    float Score,
    bool PreRoll,
    int Width,
    int Height,
    byte[] I420,
    Frames.Box? Moving = null);
