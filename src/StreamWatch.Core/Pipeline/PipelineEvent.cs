using StreamWatch.Core.Alerts;
using StreamWatch.Core.Keyframes;

namespace StreamWatch.Core.Pipeline;

/// <summary>Everything a camera pipeline reports. Sinks receive these in order per camera.</summary>
public abstract record PipelineEvent(string Camera, DateTimeOffset Utc, TimeSpan Offset);

/// <summary>Stream health: online when frames flow, offline when ffmpeg died or stalled.</summary>
public sealed record CameraStateChanged(string Camera, DateTimeOffset Utc, TimeSpan Offset, bool Online, CameraStateReason Reason)
    : PipelineEvent(Camera, Utc, Offset);

/// <summary>The motion gate opened (Active) or closed.</summary>
public sealed record MotionChanged(string Camera, DateTimeOffset Utc, TimeSpan Offset, bool Active, float Score)
    : PipelineEvent(Camera, Utc, Offset);

public sealed record KeyframeSelected(string Camera, DateTimeOffset Utc, TimeSpan Offset, Keyframe Keyframe)
    : PipelineEvent(Camera, Utc, Offset);

public sealed record AlertChanged(string Camera, DateTimeOffset Utc, TimeSpan Offset, Alert Alert)
    : PipelineEvent(Camera, Utc, Offset);

/// <summary>Where events leave the daemon (console, JSONL, MQTT, event store).</summary>
public interface IEventSink
{
    string Name { get; }
    /// <summary>Called from the sink's own queue, one event at a time, in order.</summary>
    ValueTask HandleAsync(PipelineEvent e, CancellationToken cancellationToken);
}
