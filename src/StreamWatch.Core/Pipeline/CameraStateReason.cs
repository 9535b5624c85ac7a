namespace StreamWatch.Core.Pipeline;

/// <summary>Why a camera went online or offline (<see cref="CameraStateChanged.Reason"/>).</summary>
public enum CameraStateReason
{
    /// <summary>Online: frames flow.</summary>
    Frames,
    /// <summary>Not yet reported by its loop.</summary>
    Starting,
    /// <summary>The daemon stopped the camera.</summary>
    Stopped,
    /// <summary>A file source reached its end (ffmpeg exit 0).</summary>
    Ended,
    /// <summary>A live source closed the stream (ffmpeg exit 0).</summary>
    Disconnected,
    /// <summary>No frame within Cameras:N:StallTimeoutSeconds.</summary>
    Stalled,
    FfmpegError,
    BadStream,
    StartFailed,
    /// <summary>The camera's loop failed; the camera is not restarted.</summary>
    Failed,
}

public static class CameraStateReasonText
{
    /// <summary>The reason as events, logs, the API, the store and the stream_errors metric write it.</summary>
    public static string Text(this CameraStateReason r) => r switch
    {
        CameraStateReason.Frames => "frames",
        CameraStateReason.Starting => "starting",
        CameraStateReason.Stopped => "stopped",
        CameraStateReason.Ended => "ended",
        CameraStateReason.Disconnected => "disconnected",
        CameraStateReason.Stalled => "stalled",
        CameraStateReason.FfmpegError => "ffmpeg_error",
        CameraStateReason.BadStream => "bad_stream",
        CameraStateReason.StartFailed => "start_failed",
        CameraStateReason.Failed => "failed",
        _ => throw new ArgumentOutOfRangeException(nameof(r), r, null),
    };
}
