using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using StreamWatch.Core.Cluster;
using StreamWatch.Core.Telemetry;
using StreamWatch.Mqtt.Outbox;

namespace StreamWatch.Mqtt;

/// <summary>
/// Owns the connection's state on one task: drains the outbox in order with a bounded in-flight
/// window, deletes rows on PUBACK, and re-publishes retained state after every (re)connect. While the
/// cluster fence is closed it sends nothing: outbox rows and pending state wait (rows held back are
/// counted once each in streamwatch_cluster_fenced_total) until the fence opens and it is woken.
/// </summary>
internal sealed class MqttPublisher
{
    private readonly MqttOptions _options;
    private readonly SqliteOutbox _outbox;
    private readonly ILogger _log;
    private readonly TimeProvider _time;
    private readonly Channel<TransportEvent> _events = Channel.CreateUnbounded<TransportEvent>(new() { SingleReader = true });
    private readonly InflightWindow _window;
    private readonly Dictionary<long, (long Created, long? Onset, string? Camera, string? Rule)> _meta = new();
    private readonly object _stateLock = new();
    private readonly Dictionary<string, (byte[] Payload, bool Retain)> _pending = new();
    private readonly List<(string Topic, byte[] Payload)> _retained = new();
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private IMqttTransport? _transport;
    private Task _pump = Task.CompletedTask;
    private bool _connected;
    private volatile bool _stopping;
    private byte[]? _stoppedPayload; // under _stateLock: the "stopped" message, whose PUBACK ends StopAsync
    private bool _stopAcked; // pump task only
    private int _stopMid = -1;
    private string? _lastFailure;
    private readonly IPublishFence _fence;
    private long _heldThrough; // pump task only: the last outbox row counted as held back by the fence

    public MqttPublisher(MqttOptions options, SqliteOutbox outbox, ILogger log, TimeProvider time, IPublishFence? fence = null)
    {
        _fence = fence ?? OpenFence.Instance;
        _options = options;
        _outbox = outbox;
        _log = log;
        _time = time;
        _window = new InflightWindow(options.MaxInflight);
    }

    public ChannelWriter<TransportEvent> Events => _events.Writer;
    public bool Connected => Volatile.Read(ref _connected);

    public void Start(IMqttTransport transport)
    {
        _transport = transport;
        _pump = Task.Run(PumpAsync);
        transport.Start();
        _log.LogInformation("MQTT publishing to {Host}:{Port} (TLS {Tls}, MQTT {Version}, prefix {Prefix}, user {User})",
            _options.Host, _options.Port, _options.Tls.Enabled ? "on" : "off", _options.ProtocolVersion == 311 ? "3.1.1" : "5",
            _options.TopicPrefix, string.IsNullOrEmpty(_options.Username) ? "none" : _options.Username);
    }

    /// <summary>Sets a retained topic's value: published now if connected and again after every reconnect.</summary>
    public void SetRetained(string topic, byte[] payload)
    {
        lock (_stateLock)
        {
            var i = _retained.FindIndex(r => r.Topic == topic);
            if (i >= 0) _retained[i] = (topic, payload); else _retained.Add((topic, payload));
            _pending[topic] = (payload, true);
        }
        Wake();
    }

    /// <summary>Stops re-publishing these retained topics after a reconnect; a value not yet sent still goes out once.</summary>
    public void Forget(IReadOnlyCollection<string> topics)
    {
        lock (_stateLock) _retained.RemoveAll(r => topics.Contains(r.Topic));
    }

    /// <summary>Publishes a non-retained message if connected (latest value wins); dropped otherwise.</summary>
    public void PublishTransient(string topic, byte[] payload)
    {
        lock (_stateLock) _pending[topic] = (payload, false);
        Wake();
    }

    public void Wake() => _events.Writer.TryWrite(new TransportEvent(TransportEventKind.Wake));

    /// <summary>
    /// Publishes "stopped" after every pending state message (waits up to 5 s for its PUBACK),
    /// disconnects cleanly, ends the pump. True when that PUBACK came: the broker then has every
    /// retained message published before it (one connection, in order).
    /// </summary>
    public async Task<bool> StopAsync(byte[] stoppedPayload)
    {
        if (_transport == null) return false;
        _stopping = true;
        lock (_stateLock) _stoppedPayload = stoppedPayload;
        SetRetained(_options.AvailabilityTopic, stoppedPayload);
        _events.Writer.TryWrite(new TransportEvent(TransportEventKind.Stop));
        await Task.WhenAny(_stopped.Task, Task.Delay(TimeSpan.FromSeconds(5)));
        _events.Writer.TryComplete();
        await _pump;
        _transport.Stop();
        _transport.Dispose();
        _transport = null;
        return _stopAcked;
    }

    private async Task PumpAsync()
    {
        var acked = new List<long>();
        var reader = _events.Reader;
        while (await reader.WaitToReadAsync())
        {
            try
            {
                while (reader.TryRead(out var e)) Handle(e, acked);
                if (acked.Count > 0) { _outbox.Delete(acked); acked.Clear(); }
                if (_connected) FlushState();
                Fill(acked);
            }
            catch (Exception ex)
            {
                _log.LogError(ex, "MQTT publisher step failed; continuing");
                StreamWatchMetrics.SinkErrors.Add(1, new KeyValuePair<string, object?>("sink", "mqtt"));
            }
        }
    }

    private void Handle(TransportEvent e, List<long> acked)
    {
        switch (e.Kind)
        {
            case TransportEventKind.Connected:
                Volatile.Write(ref _connected, true);
                _lastFailure = null;
                _log.LogInformation("MQTT connected to {Host}:{Port}", _options.Host, _options.Port);
                lock (_stateLock) foreach (var (topic, payload) in _retained) _pending[topic] = (payload, true);
                break;
            case TransportEventKind.ConnectFailed:
                StreamWatchMetrics.MqttConnectFailures.Add(1);
                if (e.Text != _lastFailure)
                    _log.LogWarning("MQTT connection to {Host}:{Port} failed: {Reason} (code {Code}); retrying with backoff",
                        _options.Host, _options.Port, e.Text, e.Code);
                _lastFailure = e.Text;
                break;
            case TransportEventKind.Disconnected:
                if (_connected && e.Code != 0) _log.LogWarning("MQTT connection lost (code {Code}); reconnecting", e.Code);
                Volatile.Write(ref _connected, false);
                _window.Disconnected();
                break;
            case TransportEventKind.Published:
                OnAck(e.Mid, e.Code, acked);
                break;
            case TransportEventKind.Rejected:
                if (_window.Acked(e.Mid) is not { } rejected) break;
                acked.Add(rejected);
                _meta.Remove(rejected);
                StreamWatchMetrics.MqttPublishFailures.Add(1, new KeyValuePair<string, object?>("reason", "client_rejected"));
                _log.LogError("MQTT client rejected outbox message {Row}: {Error}; dropped", rejected, e.Text);
                break;
            case TransportEventKind.Stop:
                if (!_connected) _stopped.TrySetResult();
                break;
        }
    }

    private void OnAck(int mid, int reason, List<long> acked)
    {
        if (mid == _stopMid) { _stopAcked = true; _stopped.TrySetResult(); }
        if (_window.Acked(mid) is not { } row) return;
        acked.Add(row);
        if (reason >= 0x80)
        {
            StreamWatchMetrics.MqttPublishFailures.Add(1, new KeyValuePair<string, object?>("reason", "broker_rejected"));
            _log.LogError("MQTT broker rejected outbox message {Row} (reason {Reason}); dropped", row, reason);
        }
        else StreamWatchMetrics.MqttAcked.Add(1);
        if (_meta.Remove(row, out var m))
        {
            var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
            StreamWatchMetrics.StageLatency.Record((now - m.Created) / 1000.0, new KeyValuePair<string, object?>("stage", "publish"));
            if (m.Onset is { } onset) StreamWatchMetrics.EndToEndLatency.Record((now - onset) / 1000.0, new("camera", m.Camera), new("rule", m.Rule));
        }
    }

    private void FlushState()
    {
        if (!_fence.MayPublish) return; // held in _pending until the fence opens
        List<KeyValuePair<string, (byte[] Payload, bool Retain)>> batch;
        byte[]? stopped;
        lock (_stateLock)
        {
            if (_pending.Count == 0) return;
            batch = _pending.ToList();
            _pending.Clear();
            stopped = _stoppedPayload;
        }
        var available = _options.AvailabilityTopic;
        // The availability topic goes first after a connect, so "online" precedes the state it vouches
        // for, and "stopped" goes last, so its PUBACK vouches for everything before it. Which one it is
        // comes from the batch itself: a stop that starts during this flush cannot mark "online" as the last.
        foreach (var (topic, (payload, retain)) in batch.OrderBy(b => b.Key != available ? 1 : ReferenceEquals(b.Value.Payload, stopped) ? 2 : 0))
        {
            if (!_transport!.Publish(topic, payload, retain, out var mid, out var error)) _log.LogWarning("MQTT publish to {Topic} failed: {Error}", topic, error);
            else if (ReferenceEquals(payload, stopped)) _stopMid = mid;
        }
    }

    private void Fill(List<long> acked)
    {
        var room = _stopping ? 0 : _window.Room(_connected);
        if (room == 0) return;
        if (!_fence.MayPublish)
        {
            var held = _outbox.ReadAfter(Math.Max(_window.Cursor, _heldThrough), 1024);
            if (held.Count > 0) { StreamWatchMetrics.ClusterFenced.Add(held.Count); _heldThrough = held[^1].Id; }
            return;
        }
        foreach (var row in _outbox.ReadAfter(_window.Cursor, room))
        {
            if (!_transport!.Publish(row.Topic, row.Payload, row.Retain, out var mid, out var error))
            {
                StreamWatchMetrics.MqttPublishFailures.Add(1, new KeyValuePair<string, object?>("reason", "client_rejected"));
                _log.LogError("MQTT client rejected outbox message {Row} for {Topic}: {Error}; dropped", row.Id, row.Topic, error);
                _window.Skipped(row.Id);
                acked.Add(row.Id);
                continue;
            }
            _window.Sent(mid, row.Id);
            _meta[row.Id] = (row.CreatedMs, row.OnsetMs, row.Camera, row.Rule);
        }
        if (acked.Count > 0) { _outbox.Delete(acked); acked.Clear(); }
    }
}
