using System.Text;
using StreamWatch.Core.Cluster;
using StreamWatch.Core.Pipeline;
using StreamWatch.Core.State;

namespace StreamWatch.Sinks;

/// <summary>
/// Appends every event as one JSON line (docs/events.md) to a file, flushed per line. While the
/// cluster fence is closed, events are skipped (and counted in streamwatch_cluster_fenced_total).
/// </summary>
public sealed class JsonlSink : IEventSink, IAsyncDisposable
{
    private readonly StreamWriter _writer;
    private readonly IPublishFence _fence;

    public JsonlSink(string path, IPublishFence? fence = null)
    {
        _fence = fence ?? OpenFence.Instance;
        _writer = new StreamWriter(PrivateFiles.Open(path, FileMode.Append, FileAccess.Write), new UTF8Encoding(false));
    }

    public string Name => "jsonl";

    public async ValueTask HandleAsync(PipelineEvent e, CancellationToken cancellationToken)
    {
        if (EventJson.Format(e, wallClock: true) is not { } line) return;
        if (_fence.HoldsBack()) return;
        await _writer.WriteLineAsync(line.AsMemory(), cancellationToken);
        await _writer.FlushAsync(cancellationToken);
    }

    public ValueTask DisposeAsync() => _writer.DisposeAsync();
}
