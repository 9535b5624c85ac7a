using System.Reflection;

namespace StreamWatch.Core.Telemetry;

/// <summary>
/// Every metric StreamWatch exports, in one place, named as exported (docs/metrics.md lists them).
/// Labels are bounded: camera, rule, stage, backend, phase, reason, queue, outcome, sink — never URLs
/// or credentials. Components record through these objects; the exporter is an <see cref="IMetricsRecorder"/>.
/// </summary>
public static class StreamWatchMetrics
{
    // Ingest
    public static readonly CounterMetric FramesDecoded = new("streamwatch_frames_decoded_total", "Frames read from the decoder", "camera");
    public static readonly CounterMetric FramesAnalysed = new("streamwatch_frames_analysed_total", "Frames run through motion analysis", "camera");
    public static readonly CounterMetric FramesDropped = new("streamwatch_frames_dropped_total", "Frames dropped because analysis fell behind", "camera");
    public static readonly CounterMetric DecoderRestarts = new("streamwatch_ffmpeg_restarts_total", "ffmpeg child processes restarted", "camera");
    public static readonly CounterMetric StreamErrors = new("streamwatch_stream_errors_total", "Stream failures by reason", "camera", "reason");
    public static readonly HistogramMetric DecodeLag = new("streamwatch_decode_lag_seconds", "Delay between a frame's capture time and the start of its analysis", "camera");

    // Motion, gate, keyframes
    public static readonly CounterMetric GateOpenTime = new("streamwatch_gate_open_seconds_total", "Stream time the motion gate was open", "camera");
    public static readonly CounterMetric GateOpenings = new("streamwatch_gate_openings_total", "Times the motion gate opened", "camera");
    public static readonly CounterMetric KeyframesSelected = new("streamwatch_keyframes_selected_total", "Keyframes chosen for the model", "camera");

    // Latency per stage (stage = gate | keyframe_queue | inference | publish)
    public static readonly HistogramMetric StageLatency = new("streamwatch_stage_latency_seconds", "Time spent in a pipeline stage", "stage");
    public static readonly HistogramMetric EndToEndLatency = new("streamwatch_alert_latency_seconds", "Motion onset to alert published", "camera", "rule");

    // Alerts, sinks, model
    public static readonly CounterMetric Alerts = new("streamwatch_alerts_total", "Alert lifecycle messages by rule and phase", "camera", "rule", "phase");
    public static readonly CounterMetric SinkDropped = new("streamwatch_sink_dropped_total", "Events a sink's full queue dropped", "sink");
    public static readonly CounterMetric SinkErrors = new("streamwatch_sink_errors_total", "Events a sink failed to write", "sink");
    public static readonly CounterMetric ModelRequests = new("streamwatch_model_requests_total", "Model requests by backend and outcome", "backend", "outcome");
    public static readonly HistogramMetric ModelRequestTime = new("streamwatch_model_request_seconds", "Model time per request (ONNX: vision, prefill and decode; OpenAI-compatible: one HTTP attempt)", "backend");
    public static readonly HistogramMetric ModelTokenTime = new("streamwatch_model_token_seconds", "Model time per generated token (one decode step; ONNX backend)", "backend");
    public static readonly CounterMetric ModelDropped = new("streamwatch_model_dropped_total", "Model work dropped (stale, coalesced, queue full)", "camera", "reason");

    // MQTT
    public static readonly CounterMetric MqttAcked = new("streamwatch_mqtt_acked_total", "Outbox messages the broker acknowledged");
    public static readonly CounterMetric MqttPublishFailures = new("streamwatch_mqtt_publish_failures_total", "MQTT messages the client or broker rejected, by reason", "reason");
    public static readonly CounterMetric MqttOutboxDropped = new("streamwatch_mqtt_outbox_dropped_total", "Oldest outbox messages dropped because the outbox was full");
    public static readonly CounterMetric MqttConnectFailures = new("streamwatch_mqtt_connect_failures_total", "Failed or refused MQTT connection attempts");

    // Event store
    public static readonly CounterMetric StoreRetentionDeleted = new("streamwatch_store_retention_deleted_total", "Events the event store's retention deleted, by reason (age, size)", "reason");

    // Cluster (Cluster:Enabled only)
    public static readonly CounterMetric ClusterClaims = new("streamwatch_cluster_claims_total", "Camera claims acquired, released, or lost with the lease", "result");
    public static readonly CounterMetric ClusterFenced = new("streamwatch_cluster_fenced_total", "Publications held back because the node's lease may have expired");

    // Gauges: components register their series with Track(...) (see GaugeSet); read at scrape time.
    public static readonly GaugeSet CameraUp = new("streamwatch_camera_up", "1 while the camera's stream delivers frames, 0 while it is down or restarting", "camera");
    public static readonly GaugeSet GateOpen = new("streamwatch_gate_open_state", "1 while the camera's motion gate is open", "camera");
    public static readonly GaugeSet QueueDepth = new("streamwatch_queue_depth", "Items waiting in a bounded queue", "camera", "queue");
    public static readonly GaugeSet QueueCapacity = new("streamwatch_queue_capacity", "Capacity of a bounded queue", "camera", "queue");
    public static readonly GaugeSet MqttConnected = new("streamwatch_mqtt_connected", "1 while the MQTT client is connected to its broker");
    public static readonly GaugeSet MqttOutboxDepth = new("streamwatch_mqtt_outbox_depth", "Messages waiting in the MQTT outbox");
    public static readonly GaugeSet MqttOutboxOldestAge = new("streamwatch_mqtt_outbox_oldest_age_seconds", "Age of the oldest message waiting in the MQTT outbox (0 when empty)");

    public static readonly GaugeSet ClusterLeaseValid = new("streamwatch_cluster_lease_valid", "1 while this node's cluster lease is certainly valid (the fence is open)");
    public static readonly GaugeSet ClusterCamerasOwned = new("streamwatch_cluster_cameras_owned", "Cameras whose claim this node holds");
    public static readonly GaugeSet ClusterNodes = new("streamwatch_cluster_nodes", "Live cluster nodes this node sees");

    /// <summary>Makes the cluster counters appear at 0 from the node's start.</summary>
    public static void DeclareCluster()
    {
        foreach (var r in (string[])["acquired", "released", "lost"]) ClusterClaims.Add(0, new KeyValuePair<string, object?>("result", r));
        ClusterFenced.Add(0);
    }

    /// <summary>Makes a camera's counters appear at 0 from its start, so that rates and alerts on them work before the first event.</summary>
    public static void DeclareCamera(string camera)
    {
        var tag = new KeyValuePair<string, object?>("camera", camera);
        foreach (var c in (CounterMetric[])[FramesDecoded, FramesAnalysed, FramesDropped, DecoderRestarts, GateOpenTime, GateOpenings, KeyframesSelected])
            c.Add(0, tag);
    }

    /// <summary>Makes a sink's counters appear at 0 from its start.</summary>
    public static void DeclareSink(string sink)
    {
        var tag = new KeyValuePair<string, object?>("sink", sink);
        SinkDropped.Add(0, tag);
        SinkErrors.Add(0, tag);
        if (sink == "store")
            foreach (var reason in (string[])["age", "size"]) StoreRetentionDeleted.Add(0, new KeyValuePair<string, object?>("reason", reason));
        if (sink == "mqtt")
            foreach (var c in (CounterMetric[])[MqttAcked, MqttOutboxDropped, MqttConnectFailures]) c.Add(0);
    }

    /// <summary>Every metric above, in declaration order.</summary>
    public static IReadOnlyList<Metric> All { get; } = typeof(StreamWatchMetrics)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => f.GetValue(null)).OfType<Metric>().ToArray();
}
