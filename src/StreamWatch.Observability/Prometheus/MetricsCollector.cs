using System.Diagnostics.Metrics;
using System.Text;
using StreamWatch.Core.Telemetry;

namespace StreamWatch.Observability.Prometheus;

/// <summary>
/// Our own Prometheus exporter: a <see cref="MeterListener"/> over every instrument of one meter
/// (default "StreamWatch"), aggregating counters (sums), histograms (buckets) and gauges (last value,
/// observable ones read at scrape time), rendered with process/runtime figures as text format 0.0.4.
/// Only measurements made after construction are seen, so create it early at start-up.
/// </summary>
public sealed class MetricsCollector : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly List<InstrumentState> _instruments = new();
    private readonly object _scrapeLock = new();
    private readonly string _prefix;
    private readonly bool _includeProcess;

    public MetricsCollector() : this(StreamWatchMetrics.MeterName, "streamwatch_", includeProcess: true) { }

    internal MetricsCollector(string meterName, string prefix, bool includeProcess)
    {
        _prefix = prefix;
        _includeProcess = includeProcess;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name != meterName) return;
            var state = new InstrumentState(instrument, prefix);
            lock (_instruments) _instruments.Add(state);
            listener.EnableMeasurementEvents(instrument, state);
        };
        _listener.MeasurementsCompleted = (instrument, state) =>
        {
            lock (_instruments) _instruments.Remove((InstrumentState)state!);
        };
        _listener.SetMeasurementEventCallback<long>((i, v, tags, s) => ((InstrumentState)s!).Record(v, tags));
        _listener.SetMeasurementEventCallback<double>((i, v, tags, s) => ((InstrumentState)s!).Record(v, tags));
        _listener.SetMeasurementEventCallback<int>((i, v, tags, s) => ((InstrumentState)s!).Record(v, tags));
        _listener.SetMeasurementEventCallback<float>((i, v, tags, s) => ((InstrumentState)s!).Record(v, tags));
        _listener.Start();
    }

    /// <summary>Reads observable instruments and renders everything in the text format 0.0.4.</summary>
    public string Scrape()
    {
        var sb = new StringBuilder(16 * 1024);
        lock (_scrapeLock)
        {
            InstrumentState[] states;
            lock (_instruments) states = _instruments.OrderBy(s => s.Family, StringComparer.Ordinal).ToArray();
            foreach (var s in states) if (s.Observable) s.Clear();
            _listener.RecordObservableInstruments();
            // Instruments that map to one family (e.g. two gauges named "mqtt_connected") render as one:
            // one header (the first instrument's type and help), each label set once.
            foreach (var family in states.Where(s => s.HasSeries).GroupBy(s => s.Family))
            {
                var first = family.First();
                PrometheusText.Header(sb, first.Family, first.TypeName, first.Help);
                var emitted = new HashSet<string>(StringComparer.Ordinal);
                foreach (var s in family.Where(s => s.TypeName == first.TypeName)) s.RenderSamples(sb, emitted);
            }
            var overflow = _prefix + "metric_series_overflow_total";
            PrometheusText.Header(sb, overflow, "counter", $"Measurements dropped because their instrument already had {InstrumentState.MaxSeries} label sets.");
            PrometheusText.Sample(sb, overflow, "", null, InstrumentState.Overflow);
        }
        if (_includeProcess) ProcessMetrics.Render(sb);
        return sb.ToString();
    }

    public void Dispose() => _listener.Dispose();
}
