using System.Threading.Channels;
using StreamWatch.Store;

namespace StreamWatch.Observability.Http.Api;

/// <summary>A camera as the API shows it: never its URL.</summary>
/// <param name="Node">The cluster node watching it (null outside a cluster or when unclaimed).</param>
/// <param name="Local">This process watches it.</param>
public sealed record CameraInfo(string Name, bool Online, string? Reason, double Fps, bool GateOpen, int OpenAlerts, string? Node = null, bool Local = true);

/// <summary>The live cameras, provided by the daemon once they run.</summary>
public interface ICameraDirectory
{
    IReadOnlyList<CameraInfo> Cameras();
    /// <summary>The camera's newest frame as JPEG; null when it has none yet or is unknown.</summary>
    byte[]? LatestJpeg(string name);
}

/// <summary>
/// What the /api endpoints read. The daemon fills it in when it starts (the listener is up before
/// it); until then the endpoints answer 503.
/// </summary>
public sealed class ApiSources
{
    public IEventStore? Store { get; set; }
    public ICameraDirectory? Cameras { get; set; }
    public LiveFeed Live { get; } = new();
}

/// <summary>
/// Fans live lifecycle messages (JSON lines) out to Server-Sent-Event clients. Publishing never
/// blocks: each client has a small bounded queue that drops its oldest message when the client is slow.
/// </summary>
public sealed class LiveFeed
{
    private readonly object _lock = new();
    private readonly List<Channel<string>> _clients = new();

    public void Publish(string json)
    {
        lock (_lock)
            foreach (var c in _clients) c.Writer.TryWrite(json);
    }

    public int Clients { get { lock (_lock) return _clients.Count; } }

    public ChannelReader<string> Subscribe(CancellationToken until)
    {
        var c = Channel.CreateBounded<string>(new BoundedChannelOptions(256) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
        lock (_lock) _clients.Add(c);
        until.Register(() =>
        {
            lock (_lock) _clients.Remove(c);
            c.Writer.TryComplete();
        });
        return c.Reader;
    }
}
