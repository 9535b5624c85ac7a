using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using StreamWatch.Cluster;
using StreamWatch.Config;
using StreamWatch.Core.Alerts;
using StreamWatch.Core.Config;
using StreamWatch.Core.Pipeline;
using StreamWatch.Core.Telemetry;
using StreamWatch.Observability.Http;
using StreamWatch.Store;

namespace StreamWatch.Runtime;

/// <summary>
/// The cameras this process runs now, each a <see cref="CameraWorker"/> with its own cancellation,
/// gauges and task. Without a cluster every enabled camera starts once and runs until the daemon
/// stops; with one, <see cref="ClusterSupervisor"/> starts and stops them as claims come and go.
/// Nothing here calls into a camera's loop: stopping cancels its source, and the loop flushes
/// (open alerts end) and ends by itself.
/// </summary>
internal sealed class CameraSet(AppOptions options, ILoggerFactory logs, TimeProvider time, HealthState health,
    Action<PipelineEvent> publish, IEventStore? store, Action fenceOpened, Func<string, Task>? handedOff = null) : ICameraHost
{
    private sealed record Running(CameraWorker Worker, CancellationTokenSource Stop, Task Task, IDisposable[] Gauges);

    private readonly ConcurrentDictionary<string, Running> _running = new(StringComparer.Ordinal);
    private readonly Dictionary<string, CameraOptions> _configured = options.Cameras.Where(c => c.Enabled).ToDictionary(c => c.Name);

    public ModelJudge? Judge { get; set; }
    public IReadOnlyList<CameraOptions> Configured => [.. _configured.Values];
    public CameraWorker? Worker(string name) => _running.TryGetValue(name, out var r) ? r.Worker : null;
    public IReadOnlyList<CameraWorker> Workers => _running.Values.Select(r => r.Worker).OrderBy(w => w.Name, StringComparer.Ordinal).ToList();

    public void Start(string camera)
    {
        var c = _configured[camera];
        var w = new CameraWorker(c, options, logs.CreateLogger($"camera.{c.Name}"), time) { Judge = Judge };
        health.SetCamera(w.Name, false, CameraStateReason.Starting.Text());
        StreamWatchMetrics.DeclareCamera(w.Name);
        IDisposable[] gauges =
        [
            StreamWatchMetrics.CameraUp.TrackCamera(w.Name, () => w.Online ? 1 : 0),
            StreamWatchMetrics.GateOpen.TrackCamera(w.Name, () => w.GateOpen ? 1 : 0),
            StreamWatchMetrics.QueueDepth.Track(() => w.QueueDepth, new("camera", w.Name), new("queue", "frames")),
            StreamWatchMetrics.QueueCapacity.Track(() => options.Output.FrameQueueCapacity, new("camera", w.Name), new("queue", "frames")),
        ];
        var stop = new CancellationTokenSource();
        // listed with its final task before that task starts: the name is taken once (a second Start
        // throws and starts nothing) and a StopAsync that comes in between cancels and awaits this very run
        var run = new Task<Task>(() => w.RunAsync(publish, stop.Token), TaskCreationOptions.DenyChildAttach);
        if (!_running.TryAdd(camera, new Running(w, stop, run.Unwrap(), gauges))) throw new InvalidOperationException($"camera {camera} already runs");
        run.Start(TaskScheduler.Default);
    }

    public async Task StopAsync(string camera)
    {
        if (!_running.TryGetValue(camera, out var r)) return;
        await r.Stop.CancelAsync();
        await r.Task.WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _running.TryRemove(camera, out _);
        foreach (var g in r.Gauges) g.Dispose();
        r.Stop.Dispose();
        health.RemoveCamera(camera);
        // its last events (the flush's alert ends) reach the sinks before the caller hands the camera on
        if (handedOff != null) await handedOff(camera).WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    public Task StopAllAsync() => Task.WhenAll(_running.Keys.ToList().Select(StopAsync));

    /// <summary>A camera that ends by itself (a file that is not looped) stays listed until the daemon stops, as before.</summary>
    public Task AllStopped => Task.WhenAll(_running.Values.Select(r => r.Task));

    public async Task EndLeftOpenAsync(string camera, CancellationToken ct)
    {
        if (store is not { } s) return;
        var now = time.GetUtcNow();
        foreach (var e in await s.OpenEventsAsync(camera, ct))
        {
            logs.CreateLogger("cluster").LogWarning("cluster: incident {Id} of camera {Camera} was left open by its previous owner; ending it (reason owner-lost)", e.Id, camera);
            publish(new AlertChanged(camera, now, e.EndOffset ?? e.StartOffset, new Alert
            {
                Id = e.Id, Camera = e.Camera, Rule = e.Rule, Zone = e.Zone, Severity = e.Severity, Phase = AlertPhase.End,
                Label = e.Label, Confidence = e.Confidence, Description = e.Description, Start = e.Start, End = now,
                StartOffset = e.StartOffset, Offset = e.EndOffset ?? e.StartOffset, Unverified = e.Unverified, EndReason = AlertReason.OwnerLost,
            }));
        }
    }

    public void FenceOpened() => fenceOpened();
}
