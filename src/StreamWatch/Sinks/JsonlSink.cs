using System.Text;
using StreamWatch.Core.Pipeline;
using StreamWatch.Core.State;

namespace StreamWatch.Sinks;

/// <summary>Appends every event as one JSON line (docs/events.md) to a file, flushed per line.</summary>
public sealed class JsonlSink : IEventSink, IAsyncDisposable
{
    private readonly StreamWriter _writer;

    public JsonlSink(string path)
    {
        _writer = new StreamWriter(PrivateFiles.Open(path, FileMode.Append, FileAccess.Write), new UTF8Encoding(false));
    }

    public string Name => "jsonl";

    public async ValueTask HandleAsync(PipelineEvent e, CancellationToken cancellationToken)
    {
        if (EventJson.Format(e, wallClock: true) is not { } line) return;
        await _writer.WriteLineAsync(line.AsMemory(), cancellationToken);
        await _writer.FlushAsync(cancellationToken);
    }

    public ValueTask DisposeAsync() => _writer.DisposeAsync();
}
