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

    private async Task PumpAsync(IEventSink sink, ChannelReader<PipelineEvent> reader)
    {
        await foreach (var e in reader.ReadAllAsync())
        {
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
