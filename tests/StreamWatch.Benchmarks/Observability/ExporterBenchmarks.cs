using System.Diagnostics.Metrics;
using BenchmarkDotNet.Attributes;
using StreamWatch.Observability.Prometheus;

namespace StreamWatch.Benchmarks.Observability;

/// <summary>
/// Cost of a measurement on the hot path (per frame) with the exporter listening, and of one scrape.
/// Run: dotnet run -c Release --project tests/StreamWatch.Benchmarks -- --filter "*ExporterBenchmarks*" --inProcess
/// </summary>
[MemoryDiagnoser]
public class ExporterBenchmarks
{
    private Meter _meter = null!;
    private MetricsCollector _collector = null!;
    private Counter<long> _frames = null!;
    private Histogram<double> _latency = null!;
    private KeyValuePair<string, object?> _camera;
    private KeyValuePair<string, object?> _stage;

    [GlobalSetup]
    public void Setup()
    {
        _meter = new Meter("StreamWatch.Bench");
        _collector = new MetricsCollector(_meter.Name, "streamwatch_", includeProcess: true);
        _frames = _meter.CreateCounter<long>("frames_decoded", "{frame}");
        _latency = _meter.CreateHistogram<double>("stage_latency", "s");
        _camera = new("camera", "cam3");
        _stage = new("stage", "gate");
        // A realistic daemon: 8 cameras, 4 stages, a dozen counters each.
        for (var c = 0; c < 8; c++)
        {
            var cam = new KeyValuePair<string, object?>("camera", "cam" + c);
            for (var i = 0; i < 12; i++) _meter.CreateCounter<long>("counter_" + i, "{x}").Add(1, cam);
            foreach (var s in new[] { "gate", "keyframe_queue", "inference", "publish" })
                _latency.Record(0.01, cam, new("stage", s));
            _frames.Add(1, cam);
        }
    }

    [GlobalCleanup]
    public void Cleanup() { _collector.Dispose(); _meter.Dispose(); }

    [Benchmark(Description = "Counter.Add, 1 tag")]
    public void CounterAdd() => _frames.Add(1, _camera);

    [Benchmark(Description = "Histogram.Record, 2 tags")]
    public void HistogramRecord() => _latency.Record(0.042, _camera, _stage);

    [Benchmark(Description = "Scrape (8 cameras, ~140 series + process)")]
    public int Scrape() => _collector.Scrape().Length;
}
