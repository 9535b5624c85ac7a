using System.Diagnostics.Metrics;
using System.Text;

namespace StreamWatch.Observability.Prometheus;

/// <summary>Aggregated series of one instrument. Lookup of an existing series allocates nothing.</summary>
internal sealed class InstrumentState
{
    /// <summary>Seconds buckets from 1 ms to 30 s: fine at the low end (gate, publish), coarse for inference.</summary>
    public static readonly double[] SecondsBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
    public static readonly double[] DefaultBuckets = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000];

    /// <summary>Cap on series per instrument: tags must be bounded, and a bug that breaks that must not eat the memory.</summary>
    public const int MaxSeries = 1000;
    private static long _overflow;

    /// <summary>Measurements dropped (all instruments) because their instrument already had <see cref="MaxSeries"/> series.</summary>
    public static long Overflow => Interlocked.Read(ref _overflow);

    private enum Kind { Counter, Gauge, Histogram }

    private readonly Kind _kind;
    private readonly bool _set; // observable (and sync gauge) values replace, others add
    private readonly double[] _bounds = [];
    private readonly string _help;
    private readonly List<Series> _series = new();

    public InstrumentState(Instrument instrument, string prefix)
    {
        var type = instrument.GetType().IsGenericType ? instrument.GetType().GetGenericTypeDefinition() : instrument.GetType();
        (_kind, _set) = type switch
        {
            _ when type == typeof(Counter<>) => (Kind.Counter, false),
            _ when type == typeof(ObservableCounter<>) => (Kind.Counter, true),
            _ when type == typeof(Histogram<>) => (Kind.Histogram, false),
            _ when type == typeof(UpDownCounter<>) => (Kind.Gauge, false),
            _ => (Kind.Gauge, true), // ObservableGauge, ObservableUpDownCounter, Gauge
        };
        Observable = instrument.IsObservable;
        Family = PrometheusNaming.FamilyName(prefix, instrument.Name, instrument.Unit, _kind == Kind.Counter);
        _help = string.IsNullOrWhiteSpace(instrument.Description) ? instrument.Name : instrument.Description;
        if (_kind == Kind.Histogram) _bounds = AdvisedBuckets(instrument) ?? (instrument.Unit == "s" ? SecondsBuckets : DefaultBuckets);
    }

    public string Family { get; }
    public bool Observable { get; }

    public void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (double.IsNaN(value)) return;
        lock (_series)
        {
            var s = Find(tags);
            if (s is null)
            {
                if (_series.Count >= MaxSeries && !Observable) { Interlocked.Increment(ref _overflow); return; }
                s = Add(tags);
            }
            switch (_kind)
            {
                case Kind.Counter when _set: s.Value = value; break;
                case Kind.Counter: if (value > 0) s.Value += value; break; // counters never go down
                case Kind.Gauge when _set: s.Value = value; break;
                case Kind.Gauge: s.Value += value; break;
                case Kind.Histogram:
                    var i = Array.BinarySearch(_bounds, value);
                    s.Buckets![i >= 0 ? i : ~i]++; // le is inclusive: an exact bound falls in its bucket
                    s.Value += value;
                    s.Count++;
                    break;
            }
        }
    }

    public void Clear() { lock (_series) _series.Clear(); }

    public string TypeName => _kind switch { Kind.Counter => "counter", Kind.Histogram => "histogram", _ => "gauge" };
    public string Help => _help;
    public bool HasSeries { get { lock (_series) return _series.Count > 0; } }

    /// <summary>Renders the samples of every series whose label set is not in <paramref name="emitted"/> yet.</summary>
    public void RenderSamples(StringBuilder sb, HashSet<string> emitted)
    {
        lock (_series)
        {
            foreach (var s in _series.OrderBy(x => x.Labels, StringComparer.Ordinal))
            {
                if (!emitted.Add(s.Labels)) continue; // another instrument of the same name already has it
                if (_kind != Kind.Histogram) { PrometheusText.Sample(sb, Family, s.Labels, null, s.Value); continue; }
                long cumulative = 0;
                for (var b = 0; b < _bounds.Length; b++)
                {
                    cumulative += s.Buckets![b];
                    PrometheusText.Sample(sb, Family + "_bucket", s.Labels, "le=\"" + PrometheusNaming.FormatValue(_bounds[b]) + "\"", cumulative);
                }
                PrometheusText.Sample(sb, Family + "_bucket", s.Labels, "le=\"+Inf\"", s.Count);
                PrometheusText.Sample(sb, Family + "_sum", s.Labels, null, s.Value);
                PrometheusText.Sample(sb, Family + "_count", s.Labels, null, s.Count);
            }
        }
    }

    private Series? Find(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var hash = Hash(tags);
        foreach (var s in _series)
            if (s.Hash == hash && SameTags(s.Tags, tags)) return s;
        return null;
    }

    private Series Add(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var s = new Series(Hash(tags), tags.ToArray(), PrometheusText.Labels(tags), _kind == Kind.Histogram ? new long[_bounds.Length + 1] : null);
        _series.Add(s);
        return s;
    }

    private static int Hash(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var h = tags.Length;
        foreach (var t in tags) h += HashCode.Combine(t.Key, t.Value); // order-independent
        return h;
    }

    private static bool SameTags(KeyValuePair<string, object?>[] have, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (have.Length != tags.Length) return false;
        foreach (var t in tags)
        {
            var found = false;
            foreach (var h in have)
                if (h.Key == t.Key && Equals(h.Value, t.Value)) { found = true; break; }
            if (!found) return false;
        }
        return true;
    }

    private static double[]? AdvisedBuckets(Instrument instrument) => instrument switch
    {
        Histogram<double> h => h.Advice?.HistogramBucketBoundaries?.ToArray(),
        Histogram<long> h => h.Advice?.HistogramBucketBoundaries?.Select(x => (double)x).ToArray(),
        _ => null,
    };

    private sealed class Series(int hash, KeyValuePair<string, object?>[] tags, string labels, long[]? buckets)
    {
        public int Hash { get; } = hash;
        public KeyValuePair<string, object?>[] Tags { get; } = tags;
        public string Labels { get; } = labels;
        public long[]? Buckets { get; } = buckets;
        public double Value;
        public long Count;
    }
}
