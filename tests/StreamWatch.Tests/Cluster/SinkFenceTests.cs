using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using StreamWatch.Core.Alerts;
using StreamWatch.Core.Cluster;
using StreamWatch.Core.Pipeline;
using StreamWatch.Core.Telemetry;
using StreamWatch.Imaging;
using StreamWatch.Sinks;
using StreamWatch.Store;
using StreamWatch.Store.Sqlite;

namespace StreamWatch.Tests.Cluster;

/// <summary>The JSONL and store sinks while the lease fence is closed: nothing written, each held-back write counted once.</summary>
public sealed class SinkFenceTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 3, 10, 0, 0, TimeSpan.Zero);
    private readonly string _dir = Directory.CreateTempSubdirectory("sw-sinkfence-").FullName;
    private readonly SteppedClock _clock = new();
    private readonly LeaseFence _fence;
    private readonly FencedCount _fenced = new();
    private readonly IDisposable _recorder;

    public SinkFenceTests()
    {
        _fence = new LeaseFence(_clock); // closed: no lease yet
        _recorder = Metric.Attach(_fenced);
    }

    public void Dispose()
    {
        _recorder.Dispose();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, true);
    }

    private static AlertChanged Alert(string id) => new("cam1", T0, TimeSpan.FromSeconds(2), new Alert
    {
        Id = id, Camera = "cam1", Rule = "intrusion", Phase = AlertPhase.New, Start = T0, StartOffset = TimeSpan.FromSeconds(2), Offset = TimeSpan.FromSeconds(2),
    });

    private static readonly MotionChanged Motion = new("cam1", T0, TimeSpan.FromSeconds(1), true, 0.5f);

    [Fact]
    public async Task Jsonl_writes_no_line_while_closed_counts_each_and_writes_again_once_a_lease_is_granted()
    {
        var path = Path.Combine(_dir, "events.jsonl");
        await using (var sink = new JsonlSink(path, _fence))
        {
            await sink.HandleAsync(Alert("a1"), default);
            await sink.HandleAsync(Motion, default);
            Assert.Equal(2, _fenced.Value);
            _fence.Granted(_clock.GetTimestamp(), TimeSpan.FromSeconds(10));
            await sink.HandleAsync(Alert("a2"), default);
            Assert.Equal(2, _fenced.Value);
        }
        var line = Assert.Single(await File.ReadAllLinesAsync(path));
        Assert.Contains("\"id\":\"a2\"", line);
    }

    [Fact]
    public async Task Store_records_nothing_while_closed_counts_only_what_it_would_store_and_records_again_once_a_lease_is_granted()
    {
        using var store = new SqliteEventStore(Path.Combine(_dir, "events.db"), new StoreLimits(TimeSpan.FromDays(3650), long.MaxValue / 4));
        var sink = new StoreSink(store, new OpenCvJpegEncoder(), [], NullLogger.Instance, TimeProvider.System, TimeSpan.FromHours(1), _fence);
        await sink.HandleAsync(Alert("a1"), default);
        await sink.HandleAsync(new CameraStateChanged("cam1", T0, TimeSpan.Zero, false, CameraStateReason.Stalled), default);
        await sink.HandleAsync(Motion, default); // not a store write: not counted
        Assert.Equal(2, _fenced.Value);
        Assert.Empty((await store.SearchAsync(new EventQuery())).Items);
        Assert.Empty(await store.CameraHistoryAsync("cam1", T0.AddHours(-1), T0.AddHours(1)));

        _fence.Granted(_clock.GetTimestamp(), TimeSpan.FromSeconds(10));
        await sink.HandleAsync(Alert("a2"), default);
        Assert.Equal(2, _fenced.Value);
        Assert.Equal("a2", Assert.Single((await store.SearchAsync(new EventQuery())).Items).Id);
    }

    /// <summary>streamwatch_cluster_fenced_total as this test's sinks add to it.</summary>
    private sealed class FencedCount : IMetricsRecorder
    {
        private readonly Lock _lock = new();
        private double _value;
        public double Value { get { lock (_lock) return _value; } }

        public void Add(CounterMetric counter, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            if (ReferenceEquals(counter, StreamWatchMetrics.ClusterFenced)) lock (_lock) _value += value;
        }

        public void Record(HistogramMetric histogram, double seconds, ReadOnlySpan<KeyValuePair<string, object?>> tags) { }
    }
}
