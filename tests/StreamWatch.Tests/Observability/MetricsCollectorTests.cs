using System.Diagnostics.Metrics;
using StreamWatch.Core.Telemetry;
using StreamWatch.Observability.Prometheus;

namespace StreamWatch.Tests.Observability;

public sealed class MetricsCollectorTests : IDisposable
{
    private readonly Meter _meter = new("StreamWatch.Test." + Guid.NewGuid().ToString("N"));
    private readonly MetricsCollector _collector;

    public MetricsCollectorTests() => _collector = new MetricsCollector(_meter.Name, "streamwatch_", includeProcess: false);

    public void Dispose() { _collector.Dispose(); _meter.Dispose(); }

    private static KeyValuePair<string, object?> T(string k, object? v) => new(k, v);

    [Fact]
    public void Counter_sums_per_label_set_whatever_the_tag_order()
    {
        var c = _meter.CreateCounter<long>("frames_decoded", "{frame}", "Frames read");
        c.Add(2, T("camera", "front"), T("reason", "x"));
        c.Add(3, T("reason", "x"), T("camera", "front"));
        c.Add(1, T("camera", "back"), T("reason", "x"));
        var text = _collector.Scrape();
        Assert.Contains("# HELP streamwatch_frames_decoded_total Frames read\n# TYPE streamwatch_frames_decoded_total counter\n", text);
        Assert.Contains("streamwatch_frames_decoded_total{camera=\"front\",reason=\"x\"} 5\n", text);
        Assert.Contains("streamwatch_frames_decoded_total{camera=\"back\",reason=\"x\"} 1\n", text);
    }

    [Fact]
    public void Double_counter_in_seconds_gets_seconds_total_and_ignores_negative_adds()
    {
        var c = _meter.CreateCounter<double>("gate_open", "s", "Gate time");
        c.Add(1.25, T("camera", "a"));
        c.Add(-5, T("camera", "a"));
        Assert.Contains("streamwatch_gate_open_seconds_total{camera=\"a\"} 1.25\n", _collector.Scrape());
    }

    [Fact]
    public void Histogram_buckets_are_cumulative_with_inclusive_bounds_sum_and_count()
    {
        var h = _meter.CreateHistogram<double>("stage_latency", "s", "Stage time");
        foreach (var v in new[] { 0.0005, 0.001, 0.003, 0.2, 45.0 }) h.Record(v, T("stage", "gate"));
        var text = _collector.Scrape();
        Assert.Contains("# TYPE streamwatch_stage_latency_seconds histogram\n", text);
        string Bucket(string le) => $"streamwatch_stage_latency_seconds_bucket{{stage=\"gate\",le=\"{le}\"}} ";
        Assert.Contains(Bucket("0.001") + "2\n", text);   // 0.0005 and exactly 0.001
        Assert.Contains(Bucket("0.0025") + "2\n", text);
        Assert.Contains(Bucket("0.005") + "3\n", text);
        Assert.Contains(Bucket("0.25") + "4\n", text);
        Assert.Contains(Bucket("30") + "4\n", text);
        Assert.Contains(Bucket("+Inf") + "5\n", text);
        Assert.Contains("streamwatch_stage_latency_seconds_sum{stage=\"gate\"} 45.2045\n", text);
        Assert.Contains("streamwatch_stage_latency_seconds_count{stage=\"gate\"} 5\n", text);
        var bounds = text.Split('\n').Count(l => l.StartsWith("streamwatch_stage_latency_seconds_bucket"));
        Assert.Equal(InstrumentState.SecondsBuckets.Length + 1, bounds);
    }

    [Fact]
    public void Gauge_series_come_from_tracked_callbacks_and_leave_when_disposed()
    {
        var g = new GaugeSet(_meter, "queue_depth", "{item}", "Queued");
        var depth = 3;
        var front = g.Track(() => depth, T("camera", "front"), T("queue", "keyframes"));
        using var back = g.TrackCamera("back", () => 7);
        var text = _collector.Scrape();
        Assert.Contains("# TYPE streamwatch_queue_depth gauge\n", text);
        Assert.Contains("streamwatch_queue_depth{camera=\"front\",queue=\"keyframes\"} 3\n", text);
        Assert.Contains("streamwatch_queue_depth{camera=\"back\"} 7\n", text);
        depth = 9;
        Assert.Contains("streamwatch_queue_depth{camera=\"front\",queue=\"keyframes\"} 9\n", _collector.Scrape());
        front.Dispose();
        text = _collector.Scrape();
        Assert.DoesNotContain("camera=\"front\"", text);
        Assert.Contains("streamwatch_queue_depth{camera=\"back\"} 7\n", text);
    }

    [Fact]
    public void A_throwing_gauge_callback_is_skipped()
    {
        var g = new GaugeSet(_meter, "mqtt_connected", null, "Connected");
        using var bad = g.Track(() => throw new InvalidOperationException("boom"), T("backend", "a"));
        using var good = g.Track(() => 1, T("backend", "b"));
        var text = _collector.Scrape();
        Assert.Contains("streamwatch_mqtt_connected{backend=\"b\"} 1\n", text);
        Assert.DoesNotContain("backend=\"a\"", text);
    }

    [Fact]
    public void Label_names_are_sanitised_and_values_escaped_in_samples()
    {
        var c = _meter.CreateCounter<long>("alerts", "{alert}");
        c.Add(1, T("rule.name", "say \"hi\"\\\n"), T("le", "x"));
        Assert.Contains("streamwatch_alerts_total{rule_name=\"say \\\"hi\\\"\\\\\\n\",tag_le=\"x\"} 1\n", _collector.Scrape());
    }

    [Fact]
    public void Instruments_without_measurements_render_nothing()
    {
        _meter.CreateCounter<long>("never_used", "{x}", "Never");
        Assert.DoesNotContain("never_used", _collector.Scrape());
    }

    [Fact]
    public void UpDownCounter_is_a_gauge_that_adds()
    {
        var u = _meter.CreateUpDownCounter<int>("inflight", "{request}", "In flight");
        u.Add(3); u.Add(-1);
        var text = _collector.Scrape();
        Assert.Contains("# TYPE streamwatch_inflight gauge\n", text);
        Assert.Contains("streamwatch_inflight 2\n", text);
    }

    [Fact]
    public void Default_collector_adds_process_and_runtime_figures()
    {
        using var c = new MetricsCollector();
        var text = c.Scrape();
        foreach (var name in new[] { "process_cpu_seconds_total", "process_resident_memory_bytes", "process_start_time_seconds",
                     "dotnet_gc_heap_size_bytes", "dotnet_threadpool_threads", "dotnet_threadpool_queue_length" })
            Assert.Matches($"(?m)^{name} [0-9.e+E-]+$", text);
        Assert.Matches("(?m)^dotnet_gc_collections_total\\{generation=\"0\"\\} [0-9]+$", text);
        Assert.True(double.Parse(text.Split('\n').First(l => l.StartsWith("process_resident_memory_bytes ")).Split(' ')[1],
            System.Globalization.CultureInfo.InvariantCulture) > 1e6);
    }
}

public sealed class MetricsCollectorSafetyTests : IDisposable
{
    private readonly Meter _meter = new("StreamWatch.Test." + Guid.NewGuid().ToString("N"));
    private readonly MetricsCollector _collector;

    public MetricsCollectorSafetyTests() => _collector = new MetricsCollector(_meter.Name, "streamwatch_", includeProcess: false);

    public void Dispose() { _collector.Dispose(); _meter.Dispose(); }

    [Fact]
    public void Url_tag_values_are_redacted()
    {
        var c = _meter.CreateCounter<long>("stream_errors", "{error}");
        c.Add(1, new KeyValuePair<string, object?>("reason", "rtsp://admin:secret@10.0.0.5/live failed"));
        var text = _collector.Scrape();
        Assert.DoesNotContain("secret", text);
        Assert.Contains("streamwatch_stream_errors_total{reason=\"redacted\"} 1\n", text);
    }

    [Fact]
    public void Series_per_instrument_are_capped_and_the_overflow_counted()
    {
        var c = _meter.CreateCounter<long>("unbounded", "{x}");
        var before = InstrumentState.Overflow;
        for (var i = 0; i < InstrumentState.MaxSeries + 5; i++) c.Add(1, new KeyValuePair<string, object?>("id", i));
        var text = _collector.Scrape();
        Assert.Equal(InstrumentState.MaxSeries, text.Split('\n').Count(l => l.StartsWith("streamwatch_unbounded_total{")));
        Assert.True(InstrumentState.Overflow - before >= 5);
        Assert.Matches("(?m)^streamwatch_metric_series_overflow_total [1-9][0-9]*$", text);
    }
}

public sealed class MetricsCollectorFamilyTests : IDisposable
{
    private readonly Meter _meter = new("StreamWatch.Test." + Guid.NewGuid().ToString("N"));
    private readonly MetricsCollector _collector;

    public MetricsCollectorFamilyTests() => _collector = new MetricsCollector(_meter.Name, "streamwatch_", includeProcess: false);

    public void Dispose() { _collector.Dispose(); _meter.Dispose(); }

    [Fact]
    public void Instruments_with_one_exported_name_render_as_one_family_each_label_set_once()
    {
        var set = new GaugeSet(_meter, "mqtt_connected", null, "Connected (set)");
        _meter.CreateObservableGauge("mqtt_connected", () => 1, "1", "Connected (plain)");
        using var a = set.Track(() => 0, new KeyValuePair<string, object?>("broker", "b"));
        using var dup = set.Track(() => 5); // same (empty) label set as the plain gauge: rendered once
        var text = _collector.Scrape();
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(text, "# TYPE streamwatch_mqtt_connected gauge"));
        Assert.Contains("streamwatch_mqtt_connected{broker=\"b\"} 0\n", text);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(text, "(?m)^streamwatch_mqtt_connected [0-9]+$"));
    }
}
