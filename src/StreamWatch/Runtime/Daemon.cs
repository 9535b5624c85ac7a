using System.Reactive.Linq;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StreamWatch.Config;
using StreamWatch.Core.Pipeline;
using StreamWatch.Ingest;
using StreamWatch.Sinks;

namespace StreamWatch.Runtime;

/// <summary>
/// Wiring only: sinks and the event bus first, then one <see cref="CameraWorker"/> per enabled
/// camera merged into one Rx stream. Stop order: cameras, then the pipelines' flush, then sinks.
/// </summary>
public sealed class Daemon(AppOptions options, ILoggerFactory logs, TimeProvider time) : IHostedService
{
    private readonly ILogger _log = logs.CreateLogger("streamwatch");
    private readonly List<IAsyncDisposable> _owned = new();
    private EventBus? _bus;
    private IDisposable? _cameras;
    private TaskCompletionSource? _camerasDone;
    private readonly CancellationTokenSource _stop = new();

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(options.Output.StateDirectory);
        var sinks = new List<IEventSink> { new LogSink(logs.CreateLogger("alerts")) };
        if (!string.IsNullOrWhiteSpace(options.Output.JsonlFile))
        {
            var jsonl = new JsonlSink(options.Output.Resolve(options.Output.JsonlFile));
            _owned.Add(jsonl);
            sinks.Add(jsonl);
        }
        _bus = new EventBus(sinks, logs.CreateLogger("sinks"), options.Output.SinkQueueCapacity);

        var workers = options.Cameras.Where(c => c.Enabled)
            .Select(c => new CameraWorker(c, options, logs.CreateLogger($"camera.{c.Name}"), time)).ToList();
        foreach (var c in options.Cameras.Where(c => c.Enabled))
            _log.LogInformation("camera {Camera}: {Url}", c.Name, UrlRedactor.Redact(c.Url));
        _camerasDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var bus = _bus;
        _cameras = workers.Select(w => w.Events(_stop.Token)).Merge()
            .Subscribe(bus.Publish, e => { _log.LogCritical(e, "camera pipeline failed"); _camerasDone.TrySetResult(); }, () => _camerasDone.TrySetResult());
        _log.LogInformation("streamwatch started: {Cameras} camera(s)", workers.Count);
        await Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _log.LogInformation("streamwatch stopping");
        await _stop.CancelAsync();
        if (_camerasDone != null) await _camerasDone.Task.WaitAsync(TimeSpan.FromSeconds(10), cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _cameras?.Dispose();
        if (_bus != null) await _bus.DisposeAsync();
        foreach (var o in _owned) await o.DisposeAsync();
        _log.LogInformation("streamwatch stopped");
    }
}
