using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using StreamWatch.Core.Telemetry;

namespace StreamWatch.Core.Pipeline;

/// <summary>
/// Fans pipeline events out to sinks. Each sink drains its own bounded queue on its own task, so a
/// slow or failing sink never blocks a camera or another sink. A full queue drops its oldest event
/// (counted in streamwatch_sink_dropped_total and logged); a sink that throws is logged and counted,
/// and keeps receiving. <see cref="Publish"/> may be called from any thread: it only writes to the
/// sinks' queues (no lock of ours, no callback); events of one publisher keep their order.
/// </summary>
public sealed class EventBus : IAsyncDisposable
{
    private readonly List<(Channel<PipelineEvent> Queue, Task Pump)> _sinks = new();
    private readonly ILogger _log;
    private readonly CancellationTokenSource _stop = new();

    public EventBus(IEnumerable<IEventSink> sinks, ILogger log, int queueCapacity = 4096)
    {
        _log = log;
        foreach (var sink in sinks)
        {
            var name = sink.Name;
            var queue = Channel.CreateBounded<PipelineEvent>(
                new BoundedChannelOptions(queueCapacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true },
                dropped =>
                {
                    if (dropped is Mark m) { m.Reached.TrySetResult(); return; } // that far is gone anyway
                    StreamWatchMetrics.SinkDropped.Add(1, new KeyValuePair<string, object?>("sink", name));
                    _log.LogWarning("sink {Sink} is behind: dropped a {Event} event of camera {Camera}", name, dropped.GetType().Name, dropped.Camera);
                });
            _sinks.Add((queue, Task.Run(() => PumpAsync(sink, queue.Reader))));
        }
    }

    public void Publish(PipelineEvent e)
    {
        foreach (var (queue, _) in _sinks) queue.Writer.TryWrite(e);
    }

    /// <summary>Not an event: a mark in every sink's queue that completes when the sink got that far.</summary>
    private sealed record Mark(TaskCompletionSource Reached) : PipelineEvent("", default, default);

    /// <summary>
    /// Completes when every sink has handled what was published before this call (e.g. a camera's
    /// flushed alert ends are in the store and the MQTT outbox before its cluster claim is released).
    /// </summary>
    public Task DrainedAsync()
    {
        var marks = _sinks.Select(_ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).ToList();
        for (var i = 0; i < _sinks.Count; i++)
            if (!_sinks[i].Queue.Writer.TryWrite(new Mark(marks[i]))) marks[i].TrySetResult(); // completed: nothing more comes
        return Task.WhenAll(marks.Select(m => m.Task));
    }

    private async Task PumpAsync(IEventSink sink, ChannelReader<PipelineEvent> reader)
    {
        await foreach (var e in reader.ReadAllAsync())
        {
            if (e is Mark mark) { mark.Reached.TrySetResult(); continue; }
            try { await sink.HandleAsync(e, _stop.Token); }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                StreamWatchMetrics.SinkErrors.Add(1, new KeyValuePair<string, object?>("sink", sink.Name));
                _log.LogError(ex, "sink {Sink} failed on a {Event} event", sink.Name, e.GetType().Name);
            }
        }
    }

    /// <summary>Stops accepting events and waits until every sink has handled what it queued.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var (queue, _) in _sinks) queue.Writer.TryComplete();
        await Task.WhenAll(_sinks.Select(s => s.Pump));
        _stop.Dispose();
    }
}
