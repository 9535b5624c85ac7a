using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StreamWatch.Cluster;
using StreamWatch.Config;
using StreamWatch.Core.Cluster;
using StreamWatch.Core.Pipeline;
using StreamWatch.Core.State;
using StreamWatch.Core.Telemetry;
using StreamWatch.Imaging;
using StreamWatch.Mqtt;
using StreamWatch.Observability;
using StreamWatch.Observability.Http;
using StreamWatch.Observability.Http.Api;
using StreamWatch.Sinks;
using StreamWatch.Store;

namespace StreamWatch.Runtime;

/// <summary>
/// Wiring only (the health endpoints and sd_notify start before it and stop after it, see
/// DaemonCommand). Start: sinks and the event bus, then one
/// <see cref="CameraWorker"/> per enabled camera, each publishing its events from its own loop.
/// The event store and, with Cluster:Enabled, the coordinator come opened from DaemonCommand; with a coordinator, a <see cref="ClusterSupervisor"/>
/// starts and stops the workers as this node's claims come and go, and every sink is fenced by the lease.
/// Stop (SIGTERM): cameras end and flush their pipelines (open alerts end), claims are released, sinks
/// drain, MQTT says "stopped" and keeps what it could not deliver in its outbox, the lease is revoked,
/// then the endpoints close.
/// </summary>
public sealed class Daemon(AppOptions options, HealthState health, ILoggerFactory logs, TimeProvider time, ApiSources api,
    IEventStore? store = null, ICoordinator? coordinator = null) : IHostedService
{
    private readonly ILogger _log = logs.CreateLogger("streamwatch");
    private readonly CancellationTokenSource _stop = new();
    private readonly HealthState _health = health;
    private readonly List<IDisposable> _gauges = new();
    private MqttSink? _mqtt;
    private JsonlSink? _jsonl;
    private readonly OpenCvJpegEncoder _jpeg = new(); // one encoder for snapshots and model requests
    private EventBus? _bus;
    private ModelJudge? _judge;
    private CameraSet? _cameras;
    private Task _supervisor = Task.CompletedTask;
    private Task _background = Task.CompletedTask;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _health.SetConfigLoaded();
        PrivateFiles.CreateFolder(options.Output.StateDirectory); // 0700
        IPublishFence fence = coordinator?.Fence ?? (IPublishFence)OpenFence.Instance;

        var sinks = new List<IEventSink> { new LogSink(logs.CreateLogger("alerts")) };
        if (!string.IsNullOrWhiteSpace(options.Output.JsonlFile))
            sinks.Add(_jsonl = new JsonlSink(options.Output.Resolve(options.Output.JsonlFile), fence));
        var cameras = options.Cameras.Where(c => c.Enabled).ToList();
        if (store != null)
        {
            var storeSink = new StoreSink(store, _jpeg, cameras, logs.CreateLogger("store"), time, TimeSpan.FromMinutes(options.Store.RetentionIntervalMinutes), fence);
            if (fence.MayPublish) await storeSink.RetainAsync(cancellationToken);
            sinks.Add(storeSink);
        }
        if (options.Mqtt.Enabled)
        {
            options.Mqtt.OutboxPath = options.Output.Resolve(options.Mqtt.OutboxPath);
            _mqtt = new MqttSink(options.Mqtt, cameras, _jpeg, logs.CreateLogger("mqtt"), time, fence) { InitialCameraState = coordinator == null };
            await _mqtt.StartAsync(cancellationToken);
            _health.SetSink("mqtt", false);
            sinks.Add(_mqtt);
        }
        _bus = new EventBus(sinks, logs.CreateLogger("sinks"), options.Output.SinkQueueCapacity);
        foreach (var s in sinks) StreamWatchMetrics.DeclareSink(s.Name);

        var bus = _bus;
        CameraDirectory? directory = null;
        void Publish(PipelineEvent e)
        {
            if (e is CameraStateChanged s) _health.SetCamera(s.Camera, s.Online, s.Reason.Text());
            bus.Publish(e);
            directory!.Observe(e); // the API's view and its live stream: lifecycle messages only
            if (e is AlertChanged or CameraStateChanged && EventJson.Format(e, wallClock: true) is { } json) api.Live.Publish(json);
        }
        async Task HandedOffAsync(string camera)
        {
            await bus.DrainedAsync();
            _mqtt?.Release(camera); // its retained topics belong to the next owner now
        }
        var set = _cameras = new CameraSet(options, logs, time, _health, Publish, store, () => _mqtt?.Wake(), coordinator == null ? null : HandedOffAsync);
        directory = new CameraDirectory(set, _jpeg, time, coordinator == null ? null : () => coordinator.View.Claims);
        if (_mqtt != null) _mqtt.StatsSource = () => Stats.Snapshot(set.Workers);
        api.Cameras = directory;
        api.Store = store;
        _judge = ModelJudge.Create(options, _jpeg, logs, time, set.Worker);
        set.Judge = _judge;

        if (coordinator == null)
            foreach (var c in cameras) set.Start(c.Name);
        else
        {
            var supervisor = new ClusterSupervisor(coordinator, cameras.Select(c => c.Name).ToList(), set, logs.CreateLogger("cluster"));
            StreamWatchMetrics.DeclareCluster();
            _gauges.Add(StreamWatchMetrics.ClusterLeaseValid.Track(() => coordinator.Fence.MayPublish ? 1 : 0));
            _gauges.Add(StreamWatchMetrics.ClusterCamerasOwned.Track(() => supervisor.Owned));
            _gauges.Add(StreamWatchMetrics.ClusterNodes.Track(() => supervisor.Nodes));
            _health.SetSink("cluster", coordinator.Fence.MayPublish);
            _supervisor = Task.Run(() => supervisor.RunAsync(_stop.Token));
        }

        _background = SinkHealthAsync(_stop.Token);
        var web = options.Observability.Enabled ? $"http://{options.Observability.Listen}" : null;
        _log.LogInformation("streamwatch started: {Cameras} camera(s){Cluster}, web UI {Web}, metrics {Metrics}", cameras.Count,
            coordinator != null ? $" shared as cluster node {coordinator.Node}" : "",
            web != null ? web + "/" : "off", web != null ? web + "/metrics" : "off");
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _log.LogInformation("streamwatch stopping");
        await _stop.CancelAsync();
        await _supervisor.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing); // stops and releases its cameras
        if (_cameras != null) await _cameras.StopAllAsync().WaitAsync(TimeSpan.FromSeconds(10), cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _judge?.Dispose();
        if (_bus != null) await _bus.DisposeAsync();
        if (_mqtt != null) await _mqtt.StopAsync(cancellationToken);
        if (_jsonl != null) await _jsonl.DisposeAsync();
        if (coordinator != null) await coordinator.LeaveAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        api.Store = null; // the store itself closes in DaemonCommand, which opened it
        await _background.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        foreach (var g in _gauges) g.Dispose();
        _log.LogInformation("streamwatch stopped");
    }

    /// <summary>Keeps the MQTT sink's connection state (and the cluster lease) in /readyz.</summary>
    private async Task SinkHealthAsync(CancellationToken ct)
    {
        if (_mqtt == null && coordinator == null) return;
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1), time);
        try
        {
            while (await timer.WaitForNextTickAsync(ct))
            {
                if (_mqtt != null) _health.SetSink("mqtt", _mqtt.Connected);
                if (coordinator != null) _health.SetSink("cluster", coordinator.Fence.MayPublish && coordinator.Reachable);
            }
        }
        catch (OperationCanceledException) { }
    }
}
