using StreamWatch.Core.Alerts;
using StreamWatch.Core.Frames;
using StreamWatch.Core.Pipeline;
using StreamWatch.Observability.Http.Api;

namespace StreamWatch.Runtime;

/// <summary>
/// The cameras for the API: state and reason, analysed frames per second (over the last ≥ 1 s),
/// gate, open alerts (counted from the bus's lifecycle messages, so no camera is asked under its lock),
/// and the newest frame. Every configured camera is listed; in a cluster, those another node watches
/// carry its id in <c>node</c> and <c>local</c> = false (<paramref name="claims"/>: camera → owner, read once per listing).
/// </summary>
internal sealed class CameraDirectory(CameraSet cameras, IJpegEncoder jpeg, TimeProvider time, Func<IReadOnlyDictionary<string, string>>? claims = null) : ICameraDirectory
{
    private readonly object _lock = new();
    private readonly Dictionary<string, (long Frames, long At, double Fps)> _rates = new();
    private readonly Dictionary<string, HashSet<string>> _open = new();
    private readonly Dictionary<string, string> _reasons = new();

    /// <summary>Called for every bus event.</summary>
    public void Observe(PipelineEvent e)
    {
        lock (_lock)
            switch (e)
            {
                case AlertChanged a:
                    if (!_open.TryGetValue(a.Camera, out var set)) _open[a.Camera] = set = new();
                    if (a.Alert.Phase == AlertPhase.End) set.Remove(a.Alert.Id); else set.Add(a.Alert.Id);
                    break;
                case CameraStateChanged s:
                    _reasons[s.Camera] = s.Reason.Text();
                    break;
            }
    }

    public IReadOnlyList<CameraInfo> Cameras()
    {
        var now = time.GetTimestamp();
        var running = cameras.Workers.ToDictionary(w => w.Name);
        var owners = claims?.Invoke();
        lock (_lock)
            return cameras.Configured.Select(c =>
            {
                var owner = owners?.GetValueOrDefault(c.Name);
                if (!running.TryGetValue(c.Name, out var w))
                    return new CameraInfo(c.Name, false, owner != null ? $"watched by node {owner}" : "not claimed", 0, false, 0, owner, false);
                var frames = w.FramesAnalysed;
                if (!_rates.TryGetValue(w.Name, out var r)) r = _rates[w.Name] = (frames, now, 0);
                var elapsed = time.GetElapsedTime(r.At, now).TotalSeconds;
                if (elapsed >= 1) _rates[w.Name] = r = (frames, now, (frames - r.Frames) / elapsed);
                var online = w.Online;
                return new CameraInfo(w.Name, online, online ? null : _reasons.GetValueOrDefault(w.Name, CameraStateReason.Starting.Text()), r.Fps, w.GateOpen,
                    _open.TryGetValue(w.Name, out var set) ? set.Count : 0, owner, true);
            }).ToList();
    }

    public byte[]? LatestJpeg(string name) =>
        cameras.Worker(name)?.Latest.Read((i420, w, h) => jpeg.EncodeI420(i420, w, h));
}
