using StreamWatch.Core.Pipeline;

namespace StreamWatch.Ingest;

/// <summary>
/// Turns what happens to a camera's decoder into online/offline events, each reported once per
/// change: the first frame of a run brings the camera online; any end of a run takes it offline
/// (also when it never was online, so a camera that cannot connect is reported once).
/// </summary>
public sealed class CameraHealth(string camera)
{
    private bool? _online;

    public bool? Online => _online;

    public CameraStateChanged? OnFrame(DateTimeOffset utc, TimeSpan offset)
    {
        if (_online == true) return null;
        _online = true;
        return new CameraStateChanged(camera, utc, offset, true, CameraStateReason.Frames);
    }

    public CameraStateChanged? OnStopped(DateTimeOffset utc, TimeSpan offset, CameraStateReason reason)
    {
        if (_online == false) return null;
        _online = false;
        return new CameraStateChanged(camera, utc, offset, false, reason);
    }
}
