using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StreamWatch.Config;
using StreamWatch.Core.Pipeline;
using StreamWatch.Core.State;
using StreamWatch.Core.Telemetry;
using StreamWatch.Imaging;
using StreamWatch.Mqtt;
using StreamWatch.Observability;
using StreamWatch.Observability.Http;
using StreamWatch.Observability.Http.Api;
using StreamWatch.Sinks;
using StreamWatch.Store.Sqlite;

namespace StreamWatch.Runtime;

/// <summary>
/// Wiring only (the health endpoints and sd_notify start before it and stop after it, see
/// DaemonCommand). Start: sinks and the event bus, then one
/// <see cref="CameraWorker"/> per enabled camera, each publishing its events from its own loop.
/// Stop (SIGTERM): cameras end and flush their pipelines (open alerts end), sinks drain, MQTT says
/// "stopped" and keeps what it could not deliver in its outbox, then the endpoints close.
/// </summary>
public sealed class Daemon(AppOptions options, HealthState health, ILoggerFactory logs, TimeProvider time, ApiSources api) : IHostedService
{
    private readonly ILogger _log = logs.CreateLogger("streamwatch");
    private readonly CancellationTokenSource _stop = new();
    private readonly HealthState _health = health;
    private readonly List<IDisposable> _gauges = new();
    private MqttSink? _mqtt;
    private JsonlSink? _jsonl;
    private SqliteEventStore? _store;
    private readonly OpenCvJpegEncoder _jpeg = new(); // one encoder for snapshots and model requests
    private EventBus? _bus;
    private ModelJudge? _judge;
    private Task _cameras = Task.CompletedTask;
    private Task _background = Task.CompletedTask;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _health.SetConfigLoaded();
        PrivateFiles.CreateFolder(options.Output.StateDirectory); // 0700

        var sinks = new List<IEventSink> { new LogSink(logs.CreateLogger("alerts")) };
        if (!string.IsNullOrWhiteSpace(options.Output.JsonlFile))
            sinks.Add(_jsonl = new JsonlSink(options.Output.Resolve(options.Output.JsonlFile)));
        var cameras = options.Cameras.Where(c => c.Enabled).ToList();
        if (options.Store.Enabled)
        {
            _store = new SqliteEventStore(options.Output.Resolve(options.Store.Path), options.Store.Limits);
            var storeSink = new StoreSink(_store, _jpeg, cameras, logs.CreateLogger("store"), time, TimeSpan.FromMinutes(options.Store.RetentionIntervalMinutes));
            await storeSink.RetainAsync(cancellationToken);
            sinks.Add(storeSink);
        }
        if (options.Mqtt.Enabled)
        {
            options.Mqtt.OutboxPath = options.Output.Resolve(options.Mqtt.OutboxPath);
            _mqtt = new MqttSink(options.Mqtt, cameras, _jpeg, logs.CreateLogger("mqtt"), time);
            await _mqtt.StartAsync(cancellationToken);
            _health.SetSink("mqtt", false);
            sinks.Add(_mqtt);
        }
        _bus = new EventBus(sinks, logs.CreateLogger("sinks"), options.Output.SinkQueueCapacity);
        foreach (var s in sinks) StreamWatchMetrics.DeclareSink(s.Name);

        var workers = cameras.Select(c => new CameraWorker(c, options, logs.CreateLogger($"camera.{c.Name}"), time)).ToList();
        foreach (var w in workers)
        {
            _health.SetCamera(w.Name, false, CameraStateReason.Starting.Text());
            StreamWatchMetrics.DeclareCamera(w.Name);
            _gauges.Add(StreamWatchMetrics.CameraUp.TrackCamera(w.Name, () => w.Online ? 1 : 0));
            _gauges.Add(StreamWatchMetrics.GateOpen.TrackCamera(w.Name, () => w.GateOpen ? 1 : 0));
            _gauges.Add(StreamWatchMetrics.QueueDepth.Track(() => w.QueueDepth, new("camera", w.Name), new("queue", "frames")));
            _gauges.Add(StreamWatchMetrics.QueueCapacity.Track(() => options.Output.FrameQueueCapacity, new("camera", w.Name), new("queue", "frames")));
        }
        if (_mqtt != null) _mqtt.StatsSource = () => Stats.Snapshot(workers);

        var bus = _bus;
        var byName = workers.ToDictionary(w => w.Name);
        var directory = new CameraDirectory(workers, _jpeg, time);
        api.Cameras = directory;
        api.Store = _store;
        _judge = ModelJudge.Create(options, _jpeg, logs, time, name => byName.GetValueOrDefault(name));
        foreach (var w in workers) w.Judge = _judge;
        void Publish(PipelineEvent e)
        {
            if (e is CameraStateChanged s) _health.SetCamera(s.Camera, s.Online, s.Reason.Text());
            bus.Publish(e);
            directory.Observe(e); // the API's view and its live stream: lifecycle messages only
            if (e is AlertChanged or CameraStateChanged && EventJson.Format(e, wallClock: true) is { } json) api.Live.Publish(json);
        }
        _cameras = Task.WhenAll(workers.Select(w => Task.Run(() => w.RunAsync(Publish, _stop.Token))));

        _background = SinkHealthAsync(_stop.Token);
        var web = options.Observability.Enabled ? $"http://{options.Observability.Listen}" : null;
        _log.LogInformation("streamwatch started: {Cameras} camera(s), web UI {Web}, metrics {Metrics}", workers.Count,
            web != null ? web + "/" : "off", web != null ? web + "/metrics" : "off");
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _log.LogInformation("streamwatch stopping");
        await _stop.CancelAsync();
        await _cameras.WaitAsync(TimeSpan.FromSeconds(10), cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _judge?.Dispose();
        if (_bus != null) await _bus.DisposeAsync();
        if (_mqtt != null) await _mqtt.StopAsync(cancellationToken);
        if (_jsonl != null) await _jsonl.DisposeAsync();
        api.Store = null;
        _store?.Dispose();
        await _background.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        foreach (var g in _gauges) g.Dispose();
        _log.LogInformation("streamwatch stopped");
    }

    /// <summary>Keeps the MQTT sink's connection state in /readyz.</summary>
    private async Task SinkHealthAsync(CancellationToken ct)
    {
        if (_mqtt == null) return;
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1), time);
        try
        {
            while (await timer.WaitForNextTickAsync(ct)) _health.SetSink("mqtt", _mqtt.Connected);
        }
        catch (OperationCanceledException) { }
    }
}
