using StreamWatch.Core.Telemetry;
using StreamWatch.Observability.Prometheus;

namespace StreamWatch.Tests.Observability;

/// <summary>The prometheus-net adapter: our metrics in, Prometheus text out (families of the test's own, not the daemon's).</summary>
public sealed class MetricsCollectorTests : IDisposable
{
    private readonly CounterMetric _frames = new("streamwatch_frames_decoded_total", "Frames read", "camera", "reason");
    private readonly CounterMetric _plain = new("streamwatch_mqtt_acked_total", "Acked");
    private readonly CounterMetric _unused = new("streamwatch_never_used_total", "Never");
    private readonly HistogramMetric _latency = new("streamwatch_stage_latency_seconds", "Stage time", "stage");
    private readonly GaugeSet _depth = new("streamwatch_queue_depth", "Queued", "camera", "queue");
    private readonly GaugeSet _connected = new("streamwatch_mqtt_connected", "Connected");
    private readonly MetricsCollector _collector;

    public MetricsCollectorTests() => _collector = new MetricsCollector([_frames, _plain, _unused, _latency, _depth, _connected], includeProcess: false);

    public void Dispose() => _collector.Dispose();

    private static KeyValuePair<string, object?> T(string k, object? v) => new(k, v);
    private Task<string> ScrapeAsync() => _collector.ScrapeAsync();

    [Fact]
    public async Task Counter_sums_per_label_set_whatever_the_tag_order_and_ignores_non_positive_adds()
    {
        _frames.Add(2, T("camera", "front"), T("reason", "x"));
        _frames.Add(3, T("reason", "x"), T("camera", "front"));
        _frames.Add(-4, T("camera", "front"), T("reason", "x"));
        _frames.Add(1.5, T("camera", "back"), T("reason", "x"));
        var text = await ScrapeAsync();
        Assert.Contains("# HELP streamwatch_frames_decoded_total Frames read\n# TYPE streamwatch_frames_decoded_total counter\n", text);
        Assert.Contains("streamwatch_frames_decoded_total{camera=\"front\",reason=\"x\"} 5\n", text);
        Assert.Contains("streamwatch_frames_decoded_total{camera=\"back\",reason=\"x\"} 1.5\n", text);
    }

    [Fact]
    public async Task A_measurement_before_the_first_scrape_is_kept_and_an_unlabelled_counter_keeps_its_total()
    {
        _plain.Add(1);
        _plain.Add(2);
        Assert.Contains("# TYPE streamwatch_mqtt_acked_total counter\nstreamwatch_mqtt_acked_total 3\n", await ScrapeAsync());
    }

    [Fact]
    public async Task Adding_zero_declares_a_series_at_zero()
    {
        _frames.Add(0, T("camera", "idle"), T("reason", "x"));
        _plain.Add(0);
        var text = await ScrapeAsync();
        Assert.Contains("streamwatch_frames_decoded_total{camera=\"idle\",reason=\"x\"} 0\n", text);
        Assert.Contains("streamwatch_mqtt_acked_total 0\n", text);
    }

    [Fact]
    public async Task Histogram_buckets_fit_milliseconds_and_are_cumulative_with_inclusive_bounds()
    {
        foreach (var v in new[] { 0.00015, 0.0005, 0.003, 0.2, 45.0, 75.0 }) _latency.Record(v, T("stage", "gate"));
        var text = await ScrapeAsync();
        Assert.Contains("# TYPE streamwatch_stage_latency_seconds histogram\n", text);
        string Bucket(string le) => $"streamwatch_stage_latency_seconds_bucket{{stage=\"gate\",le=\"{le}\"}} ";
        Assert.Contains(Bucket("0.0001") + "0\n", text);
        Assert.Contains(Bucket("0.00025") + "1\n", text);
        Assert.Contains(Bucket("0.0005") + "2\n", text); // exactly 0.0005 falls in its bucket
        Assert.Contains(Bucket("0.005") + "3\n", text);
        Assert.Contains(Bucket("0.25") + "4\n", text);
        Assert.Contains(Bucket("60") + "5\n", text);
        Assert.Contains(Bucket("+Inf") + "6\n", text);
        Assert.Contains("streamwatch_stage_latency_seconds_count{stage=\"gate\"} 6\n", text);
        var bounds = text.Split('\n').Count(l => l.StartsWith("streamwatch_stage_latency_seconds_bucket"));
        Assert.Equal(MetricsCollector.SecondsBuckets.Length + 1, bounds);
    }

    [Fact]
    public async Task Gauge_series_come_from_tracked_callbacks_and_leave_when_disposed()
    {
        var depth = 3;
        var front = _depth.Track(() => depth, T("camera", "front"), T("queue", "keyframes"));
        using var back = _depth.Track(() => 7, T("queue", "frames"), T("camera", "back"));
        var text = await ScrapeAsync();
        Assert.Contains("# TYPE streamwatch_queue_depth gauge\n", text);
        Assert.Contains("streamwatch_queue_depth{camera=\"front\",queue=\"keyframes\"} 3\n", text);
        Assert.Contains("streamwatch_queue_depth{camera=\"back\",queue=\"frames\"} 7\n", text);
        depth = 9;
        Assert.Contains("streamwatch_queue_depth{camera=\"front\",queue=\"keyframes\"} 9\n", await ScrapeAsync());
        front.Dispose();
        text = await ScrapeAsync();
        Assert.DoesNotContain("camera=\"front\"", text);
        Assert.Contains("streamwatch_queue_depth{camera=\"back\",queue=\"frames\"} 7\n", text);
    }

    [Fact]
    public async Task An_unlabelled_gauge_appears_while_tracked_and_a_throwing_callback_is_skipped()
    {
        Assert.DoesNotMatch("(?m)^streamwatch_mqtt_connected ", await ScrapeAsync());
        using var bad = _depth.Track(() => throw new InvalidOperationException("boom"), T("camera", "a"));
        var up = _connected.Track(() => 1);
        var text = await ScrapeAsync();
        Assert.Contains("streamwatch_mqtt_connected 1\n", text);
        Assert.DoesNotContain("camera=\"a\"", text);
        up.Dispose();
        Assert.DoesNotMatch("(?m)^streamwatch_mqtt_connected ", await ScrapeAsync());
    }

    [Fact]
    public async Task Label_values_are_escaped_and_undeclared_tags_are_not_exported()
    {
        _frames.Add(1, T("camera", "say \"hi\"\\\n"), T("reason", "x"), T("secret", "hunter2"));
        var text = await ScrapeAsync();
        Assert.Contains("streamwatch_frames_decoded_total{camera=\"say \\\"hi\\\"\\\\\\n\",reason=\"x\"} 1\n", text);
        Assert.DoesNotContain("hunter2", text);
    }

    [Fact]
    public async Task Families_without_measurements_render_no_samples()
    {
        Assert.DoesNotMatch("(?m)^streamwatch_never_used_total", await ScrapeAsync());
    }

    [Fact]
    public async Task Url_label_values_are_redacted()
    {
        _frames.Add(1, T("camera", "c"), T("reason", "rtsp://admin:secret@10.0.0.5/live failed"));
        var text = await ScrapeAsync();
        Assert.DoesNotContain("secret", text);
        Assert.Contains("streamwatch_frames_decoded_total{camera=\"c\",reason=\"redacted\"} 1\n", text);
    }

    [Fact]
    public async Task Series_per_family_are_capped_and_the_overflow_counted()
    {
        for (var i = 0; i < MetricsCollector.MaxSeries + 5; i++) _frames.Add(1, T("camera", i), T("reason", "x"));
        var text = await ScrapeAsync();
        Assert.Equal(MetricsCollector.MaxSeries, text.Split('\n').Count(l => l.StartsWith("streamwatch_frames_decoded_total{")));
        Assert.Contains("streamwatch_metric_series_overflow_total 5\n", text);
    }

    [Fact]
    public async Task Default_collector_adds_process_and_runtime_figures()
    {
        using var c = new MetricsCollector();
        var text = await c.ScrapeAsync();
        foreach (var name in new[] { "process_cpu_seconds_total", "process_working_set_bytes", "process_start_time_seconds",
                     "dotnet_total_memory_bytes", "dotnet_threadpool_threads", "dotnet_gc_allocated_bytes_total" })
            Assert.Matches($"(?m)^{name} [0-9.e+E-]+$", text);
        Assert.Matches("(?m)^dotnet_collection_count_total\\{generation=\"0\"\\} [0-9]+$", text);
        Assert.True(double.Parse(text.Split('\n').First(l => l.StartsWith("process_working_set_bytes ")).Split(' ')[1],
            System.Globalization.CultureInfo.InvariantCulture) > 1e6);
    }
}

public class MetricDefinitionTests
{
    [Fact]
    public void Counters_end_in_total_and_histograms_in_seconds()
    {
        Assert.Throws<ArgumentException>(() => new CounterMetric("streamwatch_frames", "x"));
        Assert.Throws<ArgumentException>(() => new HistogramMetric("streamwatch_lag_ms", "x"));
    }

    [Fact]
    public void Every_daemon_metric_has_a_unique_name()
    {
        var names = StreamWatchMetrics.All.Select(m => m.Name).ToList();
        Assert.Equal(names.Count, names.Distinct().Count());
        Assert.All(names, n => Assert.StartsWith("streamwatch_", n));
    }
}
