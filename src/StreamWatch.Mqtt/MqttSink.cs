using System.Text;
using Microsoft.Extensions.Logging;
using StreamWatch.Core.Alerts;
using StreamWatch.Core.Cluster;
using StreamWatch.Core.Config;
using StreamWatch.Core.Frames;
using StreamWatch.Core.Pipeline;
using StreamWatch.Core.Telemetry;
using StreamWatch.Mqtt.HomeAssistant;
using StreamWatch.Mqtt.MqttNet;
using StreamWatch.Mqtt.Outbox;

namespace StreamWatch.Mqtt;

/// <summary>
/// Publishes pipeline events over MQTT (docs/mqtt.md): camera status and motion as retained state,
/// alerts through the durable outbox (events JSON + JPEG snapshot), Home Assistant discovery, stats.
/// Nothing is sent while the cluster fence is closed: outbox messages and state wait (see MqttPublisher).
/// </summary>
public sealed class MqttSink : IEventSink, IAsyncDisposable
{
    private readonly MqttOptions _options;
    private readonly IReadOnlyList<CameraOptions> _cameras;
    private readonly IJpegEncoder _jpeg;
    private readonly ILogger _log;
    private readonly TimeProvider _time;
    private readonly Dictionary<string, DateTimeOffset> _snapshotOf = new();
    private readonly DateTimeOffset _started;
    private SqliteOutbox? _outbox;
    private MqttPublisher? _publisher;
    private ITimer? _statsTimer;
    private IReadOnlyList<string> _owned = [];
    private IReadOnlyList<string> _stale = [];
    private IDisposable[] _gauges = [];
    private readonly IPublishFence _fence;

    public MqttSink(MqttOptions options, IReadOnlyList<CameraOptions> cameras, IJpegEncoder jpeg, ILogger logger, TimeProvider time, IPublishFence? fence = null)
    {
        _fence = fence ?? OpenFence.Instance;
        _options = options;
        _cameras = cameras;
        _jpeg = jpeg;
        _log = logger;
        _time = time;
        _started = time.GetUtcNow();
    }

    public string Name => "mqtt";
    /// <summary>Supplies the figures for the stats topic every StatsIntervalSeconds (nothing is published while null).</summary>
    public Func<StatsSnapshot>? StatsSource { get; set; }
    public long OutboxDepth => _outbox?.Count ?? 0;
    /// <summary>
    /// Publish every camera's retained status "offline", motion "OFF" and rule states at start (the default).
    /// Off in a cluster: those topics belong to the camera's owner, and a node that starts must not reset
    /// the cameras another node watches.
    /// </summary>
    public bool InitialCameraState { get; init; } = true;
    public bool Connected => _publisher?.Connected ?? false;

    private string Prefix => _options.TopicPrefix;

    /// <summary>Opens the outbox, connects (in the background, with backoff) and starts draining.</summary>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        _outbox = new SqliteOutbox(_options.OutboxPath, _options.OutboxCapacity);
        if (_outbox.Count > 0) _log.LogInformation("MQTT outbox holds {Count} unacknowledged messages; delivering them first", _outbox.Count);
        EndLeftOpen(_outbox);
        var outbox = _outbox;
        _gauges =
        [
            StreamWatchMetrics.MqttConnected.Track(() => Connected ? 1 : 0),
            StreamWatchMetrics.MqttOutboxDepth.Track(() => outbox.Count),
            StreamWatchMetrics.MqttOutboxOldestAge.Track(() => outbox.OldestAge(_time.GetUtcNow()).TotalSeconds),
        ];
        _publisher = new MqttPublisher(_options, _outbox, _log, _time, _fence);
        _publisher.SetRetained(_options.AvailabilityTopic, "online"u8.ToArray());
        var version = typeof(MqttSink).Assembly.GetName().Version?.ToString(3) ?? "0";
        IReadOnlyList<DiscoveryMessage> discovery = _options.Discovery.Enabled ? Discovery.Build(Prefix, _options.Discovery.Prefix, _cameras, version, _options.AvailabilityTopic) : [];
        foreach (var d in discovery) _publisher.SetRetained(d.Topic, d.Payload);
        ClearStaleRetained(RetainedLedger.Owned(Prefix, _options.AvailabilityTopic, discovery, _cameras));
        foreach (var cam in InitialCameraState ? _cameras : [])
        {
            _publisher.SetRetained(Topics.Status(Prefix, cam.Name), "offline"u8.ToArray());
            _publisher.SetRetained(Topics.Motion(Prefix, cam.Name), "OFF"u8.ToArray());
            foreach (var rule in cam.Rules) _publisher.SetRetained(Topics.RuleState(Prefix, cam.Name, rule.Name), Payloads.RuleState(null));
        }
        _publisher.Start(new MqttNetTransport(_options, _publisher.Events, _fence));
        if (_options.StatsIntervalSeconds > 0)
        {
            var every = TimeSpan.FromSeconds(_options.StatsIntervalSeconds);
            _statsTimer = _time.CreateTimer(_ => PublishStats(), null, every, every);
        }
        return Task.CompletedTask;
    }

    /// <summary>Empties the retained topics an earlier run left for cameras and rules no longer configured.</summary>
    private void ClearStaleRetained(IReadOnlyList<string> owned)
    {
        _owned = owned;
        var ledger = RetainedLedger.PathFor(_options.OutboxPath);
        try
        {
            _stale = RetainedLedger.Stale(RetainedLedger.Read(ledger), owned);
            foreach (var topic in _stale) _publisher!.SetRetained(topic, []);
            if (_stale.Count > 0) _log.LogInformation("MQTT: clearing {Count} retained topics of cameras or rules no longer configured", _stale.Count);
            RetainedLedger.Write(ledger, owned.Concat(_stale)); // the stale ones leave after a run that was connected
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            _log.LogWarning(ex, "MQTT retained-topic ledger {Path} not usable; removed cameras keep their retained topics", ledger);
        }
    }

    public ValueTask HandleAsync(PipelineEvent e, CancellationToken cancellationToken)
    {
        var p = _publisher ?? throw new InvalidOperationException("MqttSink.StartAsync was not called");
        switch (e)
        {
            case CameraStateChanged s:
                p.SetRetained(Topics.Status(Prefix, s.Camera), Encoding.UTF8.GetBytes(s.Online ? "online" : "offline"));
                break;
            case MotionChanged m:
                p.SetRetained(Topics.Motion(Prefix, m.Camera), Encoding.UTF8.GetBytes(m.Active ? "ON" : "OFF"));
                break;
            case AlertChanged a:
                OnAlert(a.Alert, p);
                break;
        }
        return ValueTask.CompletedTask;
    }

    private void OnAlert(Alert a, MqttPublisher p)
    {
        var messages = new List<OutboxMessage>(2);
        if (Snapshot(a) is { } jpeg) messages.Add(new OutboxMessage(Topics.Snapshot(Prefix, a.Camera, a.Rule), jpeg, Retain: true));
        messages.Add(new OutboxMessage(Topics.Events(Prefix), Payloads.AlertEvent(a), Retain: false,
            a.Phase == AlertPhase.New ? a.MotionOnsetUtc : null, a.Camera, a.Rule));
        var open = new OpenAlertChange(a.Id, a.Phase == AlertPhase.End ? null : messages[^1].Payload);
        try
        {
            var dropped = _outbox!.Enqueue(messages, _time.GetUtcNow(), open);
            if (dropped > 0)
            {
                StreamWatchMetrics.MqttOutboxDropped.Add(dropped);
                _log.LogWarning("MQTT outbox full ({Capacity} messages): dropped the {Dropped} oldest", _outbox.Capacity, dropped);
            }
        }
        catch (Exception ex)
        {
            StreamWatchMetrics.SinkErrors.Add(1, new KeyValuePair<string, object?>("sink", "mqtt"));
            _log.LogError(ex, "MQTT outbox write failed; alert {Id} ({Phase}) not queued", a.Id, a.Phase);
        }
        p.SetRetained(Topics.RuleState(Prefix, a.Camera, a.Rule), Payloads.RuleState(a));
        p.Wake();
    }

    /// <summary>
    /// Alerts still open when the previous process died (SIGKILL, crash, power cut) never get their
    /// end from the pipeline, which does not know them; queue one now (reason "restart").
    /// </summary>
    private void EndLeftOpen(SqliteOutbox outbox)
    {
        foreach (var (id, last) in outbox.OpenAlerts())
        {
            try
            {
                var end = Payloads.RestartEnd(last, _time.GetUtcNow());
                outbox.Enqueue([new OutboxMessage(Topics.Events(Prefix), end, Retain: false)], _time.GetUtcNow(), new OpenAlertChange(id, null));
                _log.LogWarning("Alert {Id} was open when the previous run stopped without ending it; queued its end (reason restart)", id);
            }
            catch (Exception ex) when (ex is FormatException or System.Text.Json.JsonException)
            {
                outbox.Enqueue([], _time.GetUtcNow(), new OpenAlertChange(id, null));
                StreamWatchMetrics.SinkErrors.Add(1, new KeyValuePair<string, object?>("sink", "mqtt"));
                _log.LogError(ex, "Alert {Id} left open by the previous run has an unreadable last event; not ended", id);
            }
        }
    }

    /// <summary>JPEG of the alert's best keyframe when it differs from the one last sent for this alert.</summary>
    private byte[]? Snapshot(Alert a)
    {
        var best = Payloads.BestKeyframe(a.Keyframes);
        var seen = _snapshotOf.TryGetValue(a.Id, out var last);
        if (a.Phase == AlertPhase.End) _snapshotOf.Remove(a.Id);
        if (best == null || (seen && last == best.CapturedUtc)) return null;
        if (a.Phase != AlertPhase.End) _snapshotOf[a.Id] = best.CapturedUtc;
        var overlay = SnapshotOverlay.For(_cameras.FirstOrDefault(c => c.Name == a.Camera), a, best);
        try { return _jpeg.EncodeI420(best.I420, best.Width, best.Height, overlay: overlay); }
        catch (Exception ex)
        {
            StreamWatchMetrics.SinkErrors.Add(1, new KeyValuePair<string, object?>("sink", "mqtt"));
            _log.LogError(ex, "Snapshot JPEG encoding failed for alert {Id}", a.Id);
            return null;
        }
    }

    /// <summary>Lets the publisher send again (after the cluster fence reopened).</summary>
    public void Wake() => _publisher?.Wake();

    /// <summary>
    /// The camera has moved to another node (cluster): its retained state topics (status, motion,
    /// rule states) are no longer re-published after a reconnect, where they would overwrite the new
    /// owner's. What is still pending (its last "offline") goes out once. (Snapshots leave through the
    /// outbox, once each, and are never re-published.)
    /// </summary>
    public void Release(string camera)
    {
        if (_cameras.FirstOrDefault(c => c.Name == camera) is not { } cam) return;
        _publisher?.Forget([Topics.Status(Prefix, cam.Name), Topics.Motion(Prefix, cam.Name),
            .. cam.Rules.Select(r => Topics.RuleState(Prefix, cam.Name, r.Name))]);
    }

    /// <summary>Publishes the stats topic now (also runs every StatsIntervalSeconds).</summary>
    public void PublishStats()
    {
        try
        {
            if (_publisher == null || StatsSource?.Invoke() is not { } s) return;
            var now = _time.GetUtcNow();
            _publisher.PublishTransient(Topics.Stats(Prefix), Payloads.Stats(s, now - _started, OutboxDepth, Connected, now));
        }
        catch (Exception ex) { _log.LogWarning(ex, "MQTT stats not published"); }
    }

    /// <summary>Publishes "stopped" on the availability topic and disconnects cleanly (no Last Will).</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _statsTimer?.Dispose();
        _statsTimer = null;
        foreach (var g in _gauges) g.Dispose();
        _gauges = [];
        if (_publisher != null)
        {
            // The empty retained messages went out on connect, before "stopped": its PUBACK says the broker has them.
            var cleared = await _publisher.StopAsync("stopped"u8.ToArray());
            if (cleared && _stale.Count > 0)
                try { RetainedLedger.Write(RetainedLedger.PathFor(_options.OutboxPath), _owned); }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { _log.LogWarning(ex, "MQTT retained-topic ledger not updated"); }
        }
        _publisher = null;
        _outbox?.Dispose();
        _outbox = null;
    }

    public async ValueTask DisposeAsync() => await StopAsync(CancellationToken.None);
}
