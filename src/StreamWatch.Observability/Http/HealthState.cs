namespace StreamWatch.Observability.Http;

/// <summary>
/// What /readyz and /api/status report. Thread-safe. Ready = config loaded AND every registered
/// (enabled) camera online AND every registered sink connected. Register each enabled camera and each
/// sink at start-up (online/connected = false) so that readiness waits for them.
/// </summary>
public sealed class HealthState(TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly object _lock = new();
    private readonly SortedDictionary<string, CameraHealth> _cameras = new(StringComparer.Ordinal);
    private readonly SortedDictionary<string, SinkHealth> _sinks = new(StringComparer.Ordinal);
    private bool _configLoaded;

    public DateTimeOffset StartedAt { get; } = (time ?? TimeProvider.System).GetUtcNow();

    /// <summary>Raised (outside the lock) after a readiness-relevant change, e.g. to update systemd's STATUS=.</summary>
    public event Action? Changed;

    public void SetConfigLoaded()
    {
        bool changed;
        lock (_lock) { changed = !_configLoaded; _configLoaded = true; }
        if (changed) Changed?.Invoke();
    }

    /// <param name="reason">Why it is offline (e.g. "stalled", "ffmpeg exited 1"); no URLs or credentials.</param>
    public void SetCamera(string name, bool online, string? reason = null)
    {
        bool changed;
        lock (_lock)
        {
            changed = !_cameras.TryGetValue(name, out var old) || old.Online != online;
            var next = new CameraHealth(name, online, online ? null : reason, changed ? _time.GetUtcNow() : old!.Since);
            changed |= old?.Reason != next.Reason;
            _cameras[name] = next;
        }
        if (changed) Changed?.Invoke();
    }

    /// <summary>The camera no longer runs here (it moved to another cluster node): readiness stops waiting for it.</summary>
    public void RemoveCamera(string name)
    {
        bool changed;
        lock (_lock) changed = _cameras.Remove(name);
        if (changed) Changed?.Invoke();
    }

    public void SetSink(string name, bool connected)
    {
        bool changed;
        lock (_lock)
        {
            changed = !_sinks.TryGetValue(name, out var old) || old.Connected != connected;
            _sinks[name] = new SinkHealth(name, connected, changed ? _time.GetUtcNow() : old!.Since);
        }
        if (changed) Changed?.Invoke();
    }

    public HealthSnapshot Snapshot()
    {
        lock (_lock)
        {
            var notReady = new List<string>();
            if (!_configLoaded) notReady.Add("configuration not loaded");
            foreach (var c in _cameras.Values)
                if (!c.Online) notReady.Add($"camera '{c.Name}' offline" + (c.Reason is { } r ? $": {r}" : ""));
            foreach (var s in _sinks.Values)
                if (!s.Connected) notReady.Add($"sink '{s.Name}' not connected");
            return new HealthSnapshot(notReady.Count == 0, _configLoaded, _cameras.Values.ToList(), _sinks.Values.ToList(),
                notReady, StartedAt, _time.GetUtcNow());
        }
    }
}

public sealed record CameraHealth(string Name, bool Online, string? Reason, DateTimeOffset Since);
public sealed record SinkHealth(string Name, bool Connected, DateTimeOffset Since);

public sealed record HealthSnapshot(bool Ready, bool ConfigLoaded, IReadOnlyList<CameraHealth> Cameras,
    IReadOnlyList<SinkHealth> Sinks, IReadOnlyList<string> NotReady, DateTimeOffset StartedAt, DateTimeOffset At)
{
    /// <summary>One line for systemd's STATUS=: "ready: 2/2 cameras online, 1/1 sinks connected" or what is missing.</summary>
    public string Summary => Ready
        ? $"ready: {Cameras.Count}/{Cameras.Count} cameras online, {Sinks.Count}/{Sinks.Count} sinks connected"
        : $"not ready ({Cameras.Count(c => c.Online)}/{Cameras.Count} cameras online): " + string.Join("; ", NotReady);
}
