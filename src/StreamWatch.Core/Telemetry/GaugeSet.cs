namespace StreamWatch.Core.Telemetry;

/// <summary>
/// A gauge whose series are registered by the components that own the values: each
/// <see cref="Track"/> call adds one series (a value callback plus its tags) and returns a handle
/// that removes the series when disposed. The exporter reads every callback at scrape time, so a
/// component never pushes gauge values: it tracks e.g. <c>() =&gt; channel.Reader.Count</c> once.
/// Callbacks run on the scrape thread: keep them cheap and thread-safe; one that throws is skipped.
/// </summary>
public sealed class GaugeSet(string name, string help, params string[] labels) : Metric(name, help, labels)
{
    private readonly object _lock = new();
    private Series[] _series = [];

    /// <summary>Adds a series; dispose the handle when the owner goes away (camera removed, sink closed).</summary>
    public IDisposable Track(Func<double> value, params KeyValuePair<string, object?>[] tags)
    {
        ArgumentNullException.ThrowIfNull(value);
        var s = new Series(this, value, tags);
        lock (_lock) _series = [.. _series, s];
        return s;
    }

    /// <summary>Shorthand for <c>Track(value, new("camera", camera))</c>.</summary>
    public IDisposable TrackCamera(string camera, Func<double> value) => Track(value, new KeyValuePair<string, object?>("camera", camera));

    /// <summary>Runs every callback now (no lock held) and returns the values with their tags.</summary>
    public List<(double Value, KeyValuePair<string, object?>[] Tags)> Read()
    {
        var snapshot = Volatile.Read(ref _series);
        var list = new List<(double, KeyValuePair<string, object?>[])>(snapshot.Length);
        foreach (var s in snapshot)
        {
            double v;
            try { v = s.Value(); }
            catch (Exception) { continue; } // a broken callback must not break the scrape
            if (!double.IsNaN(v)) list.Add((v, s.Tags));
        }
        return list;
    }

    private void Remove(Series s)
    {
        lock (_lock) _series = _series.Where(x => !ReferenceEquals(x, s)).ToArray();
    }

    private sealed class Series(GaugeSet owner, Func<double> value, KeyValuePair<string, object?>[] tags) : IDisposable
    {
        public Func<double> Value { get; } = value;
        public KeyValuePair<string, object?>[] Tags { get; } = tags;
        public void Dispose() => owner.Remove(this);
    }
}
