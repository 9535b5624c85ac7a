using BenchmarkDotNet.Attributes;
using StreamWatch.Core.Telemetry;
using StreamWatch.Observability.Prometheus;

namespace StreamWatch.Benchmarks.Observability;

/// <summary>
/// Cost of a measurement on the hot path (per frame) with the exporter attached, and of one scrape.
/// Run: dotnet run -c Release --project tests/StreamWatch.Benchmarks -- --filter "*ExporterBenchmarks*" --inProcess
/// </summary>
[MemoryDiagnoser]
public class ExporterBenchmarks
{
    private MetricsCollector _collector = null!;
    private CounterMetric _frames = null!;
    private HistogramMetric _latency = null!;
    private KeyValuePair<string, object?> _camera;
    private KeyValuePair<string, object?> _stage;

    [GlobalSetup]
    public void Setup()
    {
        _frames = new CounterMetric("streamwatch_frames_decoded_total", "Frames", "camera");
        _latency = new HistogramMetric("streamwatch_stage_latency_seconds", "Stage time", "camera", "stage");
        var counters = Enumerable.Range(0, 12).Select(i => new CounterMetric($"streamwatch_counter_{i}_total", "x", "camera")).ToArray();
        _collector = new MetricsCollector([_frames, _latency, .. counters], includeProcess: true);
        _camera = new("camera", "cam3");
        _stage = new("stage", "gate");
        // A realistic daemon: 8 cameras, 4 stages, a dozen counters each.
        for (var c = 0; c < 8; c++)
        {
            var cam = new KeyValuePair<string, object?>("camera", "cam" + c);
            foreach (var counter in counters) counter.Add(1, cam);
            foreach (var s in new[] { "gate", "keyframe_queue", "inference", "publish" })
                _latency.Record(0.01, cam, new("stage", s));
            _frames.Add(1, cam);
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _collector.Dispose();

    [Benchmark(Description = "Counter.Add, 1 tag")]
    public void CounterAdd() => _frames.Add(1, _camera);

    [Benchmark(Description = "Histogram.Record, 2 tags")]
    public void HistogramRecord() => _latency.Record(0.042, _camera, _stage);

    [Benchmark(Description = "Scrape (8 cameras, ~140 series + process)")]
    public async Task<int> Scrape() => (await _collector.ScrapeAsync()).Length;
}
