using System.Diagnostics;
using StreamWatch.Core.Alerts;
using StreamWatch.Core.Config;
using StreamWatch.Core.Pipeline;
using StreamWatch.Core.Telemetry;
using StreamWatch.IntegrationTests.Support;
using StreamWatch.Imaging;
using StreamWatch.Mqtt;

namespace StreamWatch.Benchmarks;

/// <summary>
/// MQTT figures against a real local mosquitto (printed, not asserted): QoS 1 alert throughput and
/// latency (HandleAsync → PUBACK, including the fsync'd outbox write), and the time to drain 10 000
/// alerts queued during an outage. Run: dotnet tests/StreamWatch.MqttProbe/bin/Release/net10.0/StreamWatch.MqttProbe.dll bench
/// (add --nodelay for a broker with set_tcp_nodelay true).
/// </summary>
public static class MqttBenchmarks
{
    public static async Task RunAsync(TextWriter output, bool brokerNoDelay = false, int throughputCount = 5000, int latencyCount = 500, int drainCount = 10_000)
    {
        await using var broker = await MosquittoBroker.StartAsync(tcpNoDelay: brokerNoDelay);
        output.WriteLine($"mosquitto set_tcp_nodelay: {(brokerNoDelay ? "true" : "false (default)")}");
        var acks = new AckClock();
        var jpeg = new OpenCvJpegEncoder();
        var camera = new CameraOptions { Name = "cam1", Url = "bench", Rules = { new RuleOptions { Name = "door", Type = RuleType.Motion } } };
        var dir = Repo.TempDir("mqtt-bench");
        var options = new MqttOptions
        {
            Enabled = true, Port = broker.Port, ClientId = "bench", OutboxPath = Path.Combine(dir, "outbox.db"),
            StatsIntervalSeconds = 0, ReconnectMaxSeconds = 1, Discovery = { Enabled = false },
        };
        await using var sink = new MqttSink(options, [camera], jpeg, new ConsoleErrorLogger(), TimeProvider.System);
        await sink.StartAsync(CancellationToken.None);
        await WaitAsync(() => sink.Connected);

        // Throughput: alerts pushed back to back, until the broker acknowledged the last.
        var sw = Stopwatch.StartNew();
        var target = acks.Count + throughputCount;
        for (var i = 0; i < throughputCount; i++) await sink.HandleAsync(Alert($"t{i}"), default);
        var enqueued = sw.Elapsed;
        await WaitAsync(() => acks.Count >= target);
        output.WriteLine($"mqtt publish throughput (QoS 1, outbox fsync per alert): {throughputCount / sw.Elapsed.TotalSeconds:F0} alerts/s " +
                         $"end to end; {throughputCount / enqueued.TotalSeconds:F0} alerts/s into the outbox ({throughputCount} alerts)");

        // Latency: one alert at a time, HandleAsync until its PUBACK.
        var lat = new List<double>(latencyCount);
        for (var i = 0; i < latencyCount; i++)
        {
            var before = acks.Count;
            var t0 = Stopwatch.GetTimestamp();
            await sink.HandleAsync(Alert($"l{i}"), default);
            await acks.WaitBeyondAsync(before);
            lat.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
        }
        lat.Sort();
        output.WriteLine($"mqtt publish latency (QoS 1, HandleAsync → PUBACK, {latencyCount} sequential): p50 {lat[lat.Count / 2]:F2} ms, " +
                         $"p99 {lat[(int)(lat.Count * 0.99)]:F2} ms, max {lat[^1]:F2} ms");

        // Drain: alerts queued while the broker is down, delivered after it returns.
        await broker.StopAsync();
        await WaitAsync(() => !sink.Connected);
        for (var i = 0; i < drainCount; i++) await sink.HandleAsync(Alert($"d{i}"), default);
        target = acks.Count + drainCount;
        await broker.StartAgainAsync();
        await WaitAsync(() => sink.Connected);
        sw.Restart();
        await WaitAsync(() => acks.Count >= target);
        output.WriteLine($"mqtt outbox drain: {drainCount} queued alerts delivered in {sw.Elapsed.TotalSeconds:F2} s after reconnect " +
                         $"({drainCount / sw.Elapsed.TotalSeconds:F0} alerts/s, max in flight {options.MaxInflight})");
        try { Directory.Delete(dir, true); } catch (IOException) { }
    }

    private static AlertChanged Alert(string id)
    {
        var now = DateTimeOffset.UtcNow;
        var a = new Alert { Id = id, Camera = "cam1", Rule = "door", Phase = AlertPhase.New, Start = now, StartOffset = TimeSpan.Zero, Offset = TimeSpan.Zero };
        return new AlertChanged("cam1", now, TimeSpan.Zero, a);
    }

    private static async Task WaitAsync(Func<bool> condition)
    {
        var sw = Stopwatch.StartNew();
        while (!condition())
        {
            if (sw.Elapsed > TimeSpan.FromMinutes(2)) throw new TimeoutException("benchmark condition not reached in 2 minutes");
            await Task.Delay(1);
        }
    }

    private sealed class ConsoleErrorLogger : Microsoft.Extensions.Logging.ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel level) => level >= Microsoft.Extensions.Logging.LogLevel.Warning;
        public void Log<TState>(Microsoft.Extensions.Logging.LogLevel level, Microsoft.Extensions.Logging.EventId id, TState state, Exception? ex, Func<TState, Exception?, string> format)
        {
            if (IsEnabled(level)) Console.Error.WriteLine($"{level}: {format(state, ex)}");
        }
    }

    /// <summary>Counts PUBACKs of outbox messages through the mqtt_acked counter.</summary>
    private sealed class AckClock : IMetricsRecorder, IDisposable
    {
        private readonly IDisposable _listener;
        private long _count;
        private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public AckClock()
        {
            _listener = Metric.Attach(this);
        }

        public void Add(CounterMetric counter, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            if (counter != StreamWatchMetrics.MqttAcked) return;
            Interlocked.Add(ref _count, (long)value);
            Interlocked.Exchange(ref _next, new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
        }

        public void Record(HistogramMetric histogram, double seconds, ReadOnlySpan<KeyValuePair<string, object?>> tags) { }

        public long Count => Interlocked.Read(ref _count);

        public async Task WaitBeyondAsync(long before)
        {
            while (Count <= before)
            {
                var next = Volatile.Read(ref _next).Task;
                if (Count > before) return;
                await next.WaitAsync(TimeSpan.FromSeconds(30));
            }
        }

        public void Dispose() => _listener.Dispose();
    }
}
