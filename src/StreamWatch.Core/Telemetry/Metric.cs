namespace StreamWatch.Core.Telemetry;

/// <summary>
/// Receives every counter and histogram measurement. The Prometheus adapter
/// (StreamWatch.Observability/Prometheus) is one; a test can attach its own to see what was recorded.
/// </summary>
public interface IMetricsRecorder
{
    void Add(CounterMetric counter, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags);
    void Record(HistogramMetric histogram, double seconds, ReadOnlySpan<KeyValuePair<string, object?>> tags);
}

/// <summary>
/// One metric family, named as it is exported, with the label names its series carry. A tag whose
/// key is not one of <see cref="Labels"/> is not exported; a missing one exports as an empty value.
/// </summary>
public abstract class Metric
{
    private static readonly object AttachLock = new();
    private static IMetricsRecorder[] _recorders = [];

    protected Metric(string name, string help, string[] labels)
    {
        Name = name;
        Help = help;
        Labels = labels;
    }

    public string Name { get; }
    public string Help { get; }
    public IReadOnlyList<string> Labels { get; }

    protected static IMetricsRecorder[] Recorders => Volatile.Read(ref _recorders);

    /// <summary>Sends every later measurement to <paramref name="recorder"/> too, until the handle is disposed.</summary>
    public static IDisposable Attach(IMetricsRecorder recorder)
    {
        lock (AttachLock) _recorders = [.. _recorders, recorder];
        return new Detach(recorder);
    }

    private sealed class Detach(IMetricsRecorder recorder) : IDisposable
    {
        public void Dispose()
        {
            lock (AttachLock) _recorders = _recorders.Where(r => !ReferenceEquals(r, recorder)).ToArray();
        }
    }
}

/// <summary>
/// A monotonic counter; its name ends in <c>_total</c>. <c>Add(0, tags)</c> makes the series appear
/// at 0 (for label sets known at start); negative adds are ignored.
/// </summary>
public sealed class CounterMetric : Metric
{
    public CounterMetric(string name, string help, params string[] labels) : base(name, help, labels)
    {
        if (!name.EndsWith("_total", StringComparison.Ordinal)) throw new ArgumentException($"counter '{name}' must end in _total", nameof(name));
    }

    public void Add(double value, params ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (!(value >= 0)) return;
        foreach (var r in Recorders) r.Add(this, value, tags);
    }
}

/// <summary>A latency histogram in seconds; its name ends in <c>_seconds</c> (the exporter's buckets span 100 µs to 60 s).</summary>
public sealed class HistogramMetric : Metric
{
    public HistogramMetric(string name, string help, params string[] labels) : base(name, help, labels)
    {
        if (!name.EndsWith("_seconds", StringComparison.Ordinal)) throw new ArgumentException($"histogram '{name}' must end in _seconds", nameof(name));
    }

    public void Record(double seconds, params ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (double.IsNaN(seconds)) return;
        foreach (var r in Recorders) r.Record(this, seconds, tags);
    }
}
