using System.Globalization;
using System.Text;
using Prometheus;
using StreamWatch.Core.Telemetry;

namespace StreamWatch.Observability.Prometheus;

/// <summary>
/// The Prometheus exporter: prometheus-net's own Counter/Gauge/Histogram types in a registry of their
/// own, fed by every <see cref="StreamWatchMetrics"/> measurement from construction on (it attaches
/// as an <see cref="IMetricsRecorder"/>), gauges read at scrape time, plus prometheus-net's process
/// and .NET figures. Label values containing <c>://</c> export as <c>redacted</c>; a family holds at
/// most <see cref="MaxSeries"/> label sets, measurements beyond that are counted, not exported.
/// </summary>
public sealed class MetricsCollector : IMetricsRecorder, IDisposable
{
    public const int MaxSeries = 1000;

    /// <summary>Seconds, 100 µs to 60 s: the gate's sub-millisecond steps up to a slow model's request.</summary>
    public static readonly double[] SecondsBuckets =
        [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

    /// <summary>What <see cref="ExportAsync"/> writes: Prometheus text 0.0.4.</summary>
    public static string ContentType => PrometheusConstants.TextContentTypeWithVersionAndEncoding;

    private readonly CollectorRegistry _registry = Metrics.NewCustomRegistry();
    private readonly Counter _overflow;
    private readonly Dictionary<Metric, Family<ICounter>> _counters = new();
    private readonly Dictionary<Metric, Family<IHistogram>> _histograms = new();
    private readonly List<(GaugeSet Set, Family<Gauge.Child> Family)> _gauges = new();
    private readonly IDisposable _attached;

    public MetricsCollector() : this(StreamWatchMetrics.All, includeProcess: true) { }

    internal MetricsCollector(IEnumerable<Metric> metrics, bool includeProcess)
    {
        var factory = Metrics.WithCustomRegistry(_registry);
        if (includeProcess)
        {
            DotNetStats.Register(_registry);
            RuntimeMetrics.Register(factory, _registry);
        }
        _overflow = factory.CreateCounter("streamwatch_metric_series_overflow_total",
            $"Measurements dropped because their family already had {MaxSeries} label sets.");
        foreach (var m in metrics)
        {
            var labels = m.Labels.ToArray();
            switch (m)
            {
                case CounterMetric:
                    var c = factory.CreateCounter(m.Name, m.Help, labels, new CounterConfiguration { SuppressInitialValue = true });
                    _counters.Add(m, new Family<ICounter>(labels, v => c.WithLabels(v), _overflow));
                    break;
                case HistogramMetric:
                    var h = factory.CreateHistogram(m.Name, m.Help, labels, new HistogramConfiguration { Buckets = SecondsBuckets, SuppressInitialValue = true });
                    _histograms.Add(m, new Family<IHistogram>(labels, v => h.WithLabels(v), _overflow));
                    break;
                case GaugeSet g:
                    var gauge = factory.CreateGauge(m.Name, m.Help, labels, new GaugeConfiguration { SuppressInitialValue = true });
                    _gauges.Add((g, new Family<Gauge.Child>(labels, v => gauge.WithLabels(v), _overflow)));
                    break;
                default: throw new NotSupportedException($"metric kind {m.GetType().Name} ({m.Name})");
            }
        }
        _registry.AddBeforeCollectCallback(ReadGauges);
        _attached = Metric.Attach(this);
    }

    public void Add(CounterMetric counter, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (!_counters.TryGetValue(counter, out var f) || f.Get(tags) is not { } child) return;
        if (value > 0) child.Inc(value);
        else (child as ChildBase)?.Publish(); // Add(0): the series appears at 0
    }

    public void Record(HistogramMetric histogram, double seconds, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (_histograms.TryGetValue(histogram, out var f)) f.Get(tags)?.Observe(seconds);
    }

    /// <summary>Reads the gauges and writes every family as Prometheus text 0.0.4.</summary>
    public Task ExportAsync(Stream destination, CancellationToken ct) => _registry.CollectAndExportAsTextAsync(destination, ct);

    /// <summary>The text a scrape would get now.</summary>
    public async Task<string> ScrapeAsync()
    {
        using var buffer = new MemoryStream();
        await ExportAsync(buffer, CancellationToken.None);
        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    public void Dispose() => _attached.Dispose();

    /// <summary>Runs each GaugeSet's callbacks (no lock of ours held), sets their series and removes those no longer tracked.</summary>
    private void ReadGauges()
    {
        foreach (var (set, family) in _gauges)
        {
            var values = set.Read();
            var seen = new HashSet<Gauge.Child>(values.Count, ReferenceEqualityComparer.Instance);
            foreach (var (value, tags) in values)
                if (family.Get(tags) is { } child) { child.Set(value); seen.Add(child); }
            family.RemoveExcept(seen);
        }
    }

    /// <summary>Label value as exported: invariant text; anything that looks like a URL (may carry credentials) is "redacted".</summary>
    internal static string LabelValue(object? value)
    {
        var text = value switch
        {
            null => "",
            string s => s,
            bool b => b ? "true" : "false",
            IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
            _ => value.ToString() ?? "",
        };
        return text.Contains("://", StringComparison.Ordinal) ? "redacted" : text;
    }

    /// <summary>
    /// The series of one family, keyed by the raw tag values so that finding an existing series
    /// allocates nothing; capped at <see cref="MaxSeries"/>.
    /// </summary>
    private sealed class Family<TChild>(string[] labels, Func<string[], TChild> create, Counter overflow) where TChild : class
    {
        private readonly object _lock = new();
        private Entry[] _entries = [];

        public TChild? Get(ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var hash = Hash(tags);
            foreach (var e in Volatile.Read(ref _entries))
                if (e.Hash == hash && Matches(e, tags)) return e.Child;
            lock (_lock)
            {
                foreach (var e in _entries)
                    if (e.Hash == hash && Matches(e, tags)) return e.Child;
                if (_entries.Length >= MaxSeries) { overflow.Inc(); return null; }
                var raw = new object?[labels.Length];
                for (var i = 0; i < labels.Length; i++) raw[i] = Find(tags, labels[i]);
                var entry = new Entry(hash, raw, create(raw.Select(LabelValue).ToArray()));
                _entries = [.. _entries, entry];
                return entry.Child;
            }
        }

        /// <summary>Gauges only: drops the series not in <paramref name="keep"/> from the export.</summary>
        public void RemoveExcept(HashSet<Gauge.Child> keep)
        {
            lock (_lock)
            {
                var gone = _entries.Where(e => !keep.Contains((e.Child as Gauge.Child)!)).ToArray();
                if (gone.Length == 0) return;
                foreach (var e in gone) (e.Child as Gauge.Child)!.Remove();
                _entries = _entries.Except(gone).ToArray();
            }
        }

        private int Hash(ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var h = 17;
            foreach (var l in labels) h = h * 31 + (Find(tags, l)?.GetHashCode() ?? 0);
            return h;
        }

        private bool Matches(Entry e, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            for (var i = 0; i < labels.Length; i++)
                if (!Equals(e.Raw[i], Find(tags, labels[i]))) return false;
            return true;
        }

        private static object? Find(ReadOnlySpan<KeyValuePair<string, object?>> tags, string key)
        {
            foreach (var t in tags)
                if (t.Key == key) return t.Value;
            return null;
        }

        private sealed record Entry(int Hash, object?[] Raw, TChild Child);
    }
}
