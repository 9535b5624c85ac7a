using System.Diagnostics.Metrics;

namespace StreamWatch.Core.Telemetry;

/// <summary>
/// Every instrument StreamWatch reports, in one place. Names follow Prometheus conventions once
/// exported (the exporter adds the <c>streamwatch_</c> prefix and unit suffixes as needed).
/// Tags are bounded: camera, rule, stage, backend, phase, reason — never URLs or credentials.
/// </summary>
public static class StreamWatchMetrics
{
    public const string MeterName = "StreamWatch";
    public static readonly Meter Meter = new(MeterName, "1.0");

    // Ingest
    public static readonly Counter<long> FramesDecoded = Meter.CreateCounter<long>("frames_decoded", "{frame}", "Frames read from the decoder");
    public static readonly Counter<long> FramesAnalysed = Meter.CreateCounter<long>("frames_analysed", "{frame}", "Frames run through motion analysis");
    public static readonly Counter<long> FramesDropped = Meter.CreateCounter<long>("frames_dropped", "{frame}", "Frames dropped because analysis fell behind");
    public static readonly Counter<long> DecoderRestarts = Meter.CreateCounter<long>("ffmpeg_restarts", "{restart}", "ffmpeg child processes restarted");
    public static readonly Counter<long> StreamErrors = Meter.CreateCounter<long>("stream_errors", "{error}", "Stream failures by reason");
    public static readonly Histogram<double> DecodeLag = Meter.CreateHistogram<double>("decode_lag", "s", "Delay between a frame's capture time and the start of its analysis");

    // Motion, gate, keyframes
    public static readonly Counter<double> GateOpenTime = Meter.CreateCounter<double>("gate_open", "s", "Stream time the motion gate was open");
    public static readonly Counter<long> GateOpenings = Meter.CreateCounter<long>("gate_openings", "{opening}", "Times the motion gate opened");
    public static readonly Counter<long> KeyframesSelected = Meter.CreateCounter<long>("keyframes_selected", "{keyframe}", "Keyframes chosen for the model");

    // Latency per stage (stage = gate | keyframe_queue | inference | publish)
    public static readonly Histogram<double> StageLatency = Meter.CreateHistogram<double>("stage_latency", "s", "Time spent in a pipeline stage");
    public static readonly Histogram<double> EndToEndLatency = Meter.CreateHistogram<double>("alert_latency", "s", "Motion onset to alert published");

    // Alerts, sinks, model
    public static readonly Counter<long> Alerts = Meter.CreateCounter<long>("alerts", "{alert}", "Alert lifecycle messages by rule and phase");
    public static readonly Counter<long> SinkDropped = Meter.CreateCounter<long>("sink_dropped", "{event}", "Events a sink's full queue dropped");
    public static readonly Counter<long> SinkErrors = Meter.CreateCounter<long>("sink_errors", "{error}", "Events a sink failed to write");
    public static readonly Counter<long> ModelRequests = Meter.CreateCounter<long>("model_requests", "{request}", "Model requests by backend and outcome");
    // MQTT (outbox depth and connection state are observable gauges registered by StreamWatch.Mqtt)
    public static readonly Counter<long> MqttAcked = Meter.CreateCounter<long>("mqtt_acked", "{message}", "Outbox messages the broker acknowledged");
    public static readonly Counter<long> MqttPublishFailures = Meter.CreateCounter<long>("mqtt_publish_failures", "{message}", "MQTT messages the client or broker rejected, by reason");
    public static readonly Counter<long> MqttOutboxDropped = Meter.CreateCounter<long>("mqtt_outbox_dropped", "{message}", "Oldest outbox messages dropped because the outbox was full");
    public static readonly Counter<long> MqttConnectFailures = Meter.CreateCounter<long>("mqtt_connect_failures", "{attempt}", "Failed or refused MQTT connection attempts");
    public static readonly Counter<long> StoreRetentionDeleted = Meter.CreateCounter<long>("store_retention_deleted", "{event}", "Events the event store's retention deleted, by reason (age, size)");
    public static readonly Counter<long> ModelDropped = Meter.CreateCounter<long>("model_dropped", "{request}", "Model work dropped (stale, coalesced, queue full)");

    // Gauges: components register their series with Track(...) (see GaugeSet); read at scrape time.
    public static readonly GaugeSet CameraUp = new(Meter, "camera_up", null, "1 while the camera's stream delivers frames, 0 while it is down or restarting");
    public static readonly GaugeSet GateOpen = new(Meter, "gate_open_state", null, "1 while the camera's motion gate is open");
    public static readonly GaugeSet QueueDepth = new(Meter, "queue_depth", "{item}", "Items waiting in a bounded queue (tags: camera, queue)");
    public static readonly GaugeSet QueueCapacity = new(Meter, "queue_capacity", "{item}", "Capacity of a bounded queue (tags: camera, queue)");
    public static readonly GaugeSet MqttConnected = new(Meter, "mqtt_connected", null, "1 while the MQTT client is connected to its broker");
    public static readonly GaugeSet MqttOutboxDepth = new(Meter, "mqtt_outbox_depth", "{message}", "Messages waiting in the MQTT outbox");
    public static readonly GaugeSet MqttOutboxOldestAge = new(Meter, "mqtt_outbox_oldest_age", "s", "Age of the oldest message waiting in the MQTT outbox (0 when empty)");
}
