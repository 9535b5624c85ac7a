using System.Diagnostics.Metrics;

namespace StreamWatch.Core.Telemetry;

/// <summary>
/// An observable gauge whose series are registered by the components that own the values: each
/// <see cref="Track"/> call adds one series (a value callback plus its tags) and returns a handle
/// that removes the series when disposed. The exporter reads every callback at scrape time, so a
/// component never pushes gauge values: it tracks e.g. <c>() =&gt; channel.Reader.Count</c> once.
/// Callbacks run on the scrape thread: keep them cheap and thread-safe; one that throws is skipped.
/// </summary>
public sealed class GaugeSet
{
    private readonly object _lock = new();
    private Series[] _series = [];

    public GaugeSet(Meter meter, string name, string? unit, string description)
    {
        Instrument = meter.CreateObservableGauge(name, Observe, unit, description);
    }

    public ObservableGauge<double> Instrument { get; }

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

    private void Remove(Series s)
    {
        lock (_lock) _series = _series.Where(x => !ReferenceEquals(x, s)).ToArray();
    }

    private IEnumerable<Measurement<double>> Observe()
    {
        var snapshot = Volatile.Read(ref _series);
        var list = new List<Measurement<double>>(snapshot.Length);
        foreach (var s in snapshot)
        {
            double v;
            try { v = s.Value(); }
            catch (Exception) { continue; } // a broken callback must not break the scrape
            list.Add(new Measurement<double>(v, s.Tags));
        }
        return list;
    }

    private sealed class Series(GaugeSet owner, Func<double> value, KeyValuePair<string, object?>[] tags) : IDisposable
    {
        public Func<double> Value { get; } = value;
        public KeyValuePair<string, object?>[] Tags { get; } = tags;
        public void Dispose() => owner.Remove(this);
    }
}
