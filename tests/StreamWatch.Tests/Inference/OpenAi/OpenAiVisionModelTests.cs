using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using StreamWatch.Core.Frames;
using StreamWatch.Core.Keyframes;
using StreamWatch.Core.Telemetry;
using StreamWatch.Core.Verdicts;
using StreamWatch.Inference;
using StreamWatch.Inference.OpenAi;
using StreamWatch.Inference.Profiles;
using StreamWatch.Tests.Inference.Scheduling;

namespace StreamWatch.Tests.Inference.OpenAi;

[Collection("model_requests metric")] // its meter listener counts every openai request in the process
public sealed class OpenAiVisionModelTests : IDisposable
{
    private const string Key = "sk-test-SECRET-0123456789";
    private const string Good = """{"description":"a man falls","label":"fall","anomaly":true,"severity":"critical","confidence":0.9,"start":"00:00:03.400","end":"00:00:04.000"}""";
    private readonly FakeOpenAiServer _server = new();
    private readonly ListLogger _log = new();
    private readonly IDisposable _meter;
    private readonly ConcurrentDictionary<string, long> _outcomes = new();

    public OpenAiVisionModelTests()
    {
        _meter = Metric.Attach(new ModelOutcomes("openai", _outcomes));
    }

    private sealed class FakeJpeg : IJpegEncoder
    {
        public byte[] EncodeI420(ReadOnlySpan<byte> i420, int width, int height, int quality = 85, SnapshotOverlay? overlay = null) => [0xFF, 0xD8, (byte)width, (byte)height, 0xFF, 0xD9];
    }

    private sealed class ListLogger : ILogger
    {
        public ConcurrentQueue<string> Lines { get; } = new();
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel level, EventId id, TState state, Exception? e, Func<TState, Exception?, string> f) => Lines.Enqueue(f(state, e) + e);
    }

    private OpenAiVisionModel Model(Action<OpenAiOptions>? tweak = null, TimeProvider? time = null)
    {
        var o = new OpenAiOptions { BaseUrl = _server.BaseUrl, Model = "qwen3-vl", ApiKey = Key, Retries = 2, RetryBaseDelaySeconds = 0, TimeoutSeconds = 30 };
        tweak?.Invoke(o);
        return new OpenAiVisionModel(o, PromptProfiles.Resolve(new ModelOptions()), new FakeJpeg(), 256, _log, time);
    }

    private static VerdictRequest Request(string profile = "security") => new("cam1", "r1", profile,
        [new Keyframe("cam1", DateTimeOffset.UnixEpoch, TimeSpan.FromMilliseconds(3400), 1, false, 64, 48, new byte[64 * 48 * 3 / 2]),
         new Keyframe("cam1", DateTimeOffset.UnixEpoch, TimeSpan.FromSeconds(4), 1, false, 64, 48, new byte[64 * 48 * 3 / 2])],
        DateTimeOffset.MaxValue);

    [Fact]
    public async Task Sends_keyframes_with_timestamps_schema_and_bearer_key_and_parses_the_verdict()
    {
        _server.Answer(Good);
        using var m = Model();
        var v = await m.JudgeAsync(Request(), CancellationToken.None);
        Assert.Equal(("fall", 0.9, "critical", true, TimeSpan.FromMilliseconds(3400)), (v.Label, v.Confidence, v.Severity, v.Anomaly, v.From!.Value));
        Assert.Equal("openai:qwen3-vl", v.Model);

        var (path, auth, body) = Assert.Single(_server.Requests);
        Assert.Equal("/v1/chat/completions", path);
        Assert.Equal("Bearer " + Key, auth);
        using var doc = JsonDocument.Parse(body);
        var r = doc.RootElement;
        Assert.Equal("qwen3-vl", r.GetProperty("model").GetString());
        Assert.Equal("json_schema", r.GetProperty("response_format").GetProperty("type").GetString());
        Assert.Equal("object", r.GetProperty("response_format").GetProperty("json_schema").GetProperty("schema").GetProperty("type").GetString());
        var msgs = r.GetProperty("messages");
        Assert.Equal("system", msgs[0].GetProperty("role").GetString());
        var parts = msgs[1].GetProperty("content").EnumerateArray().ToList();
        Assert.Equal(5, parts.Count);
        Assert.Equal("t=00:00:03.400", parts[0].GetProperty("text").GetString());
        Assert.Equal("data:image/jpeg;base64," + Convert.ToBase64String(new byte[] { 0xFF, 0xD8, 64, 48, 0xFF, 0xD9 }), parts[1].GetProperty("image_url").GetProperty("url").GetString());
        Assert.Equal("t=00:00:04.000", parts[2].GetProperty("text").GetString());
        Assert.Equal(PromptProfiles.Security.Question, parts[4].GetProperty("text").GetString());
        Assert.Equal(1, _outcomes.GetValueOrDefault("ok"));
    }

    [Fact]
    public async Task Retries_server_errors_then_succeeds()
    {
        _server.Raw(500, "oops");
        _server.Raw(503, "busy");
        _server.Answer(Good);
        using var m = Model();
        Assert.Equal("fall", (await m.JudgeAsync(Request(), CancellationToken.None)).Label);
        Assert.Equal(3, _server.Requests.Count);
    }

    [Fact]
    public async Task Gives_up_after_the_retry_budget()
    {
        for (var i = 0; i < 3; i++) _server.Raw(500, "oops");
        using var m = Model();
        var e = await Assert.ThrowsAsync<ModelAnswerException>(() => m.JudgeAsync(Request(), CancellationToken.None));
        Assert.Equal("http_5xx", e.Reason);
        Assert.Equal(3, _server.Requests.Count);
        Assert.Equal(1, _outcomes.GetValueOrDefault("http_5xx"));
    }

    [Fact]
    public async Task A_hanging_server_times_out()
    {
        _server.Hang();
        using var m = Model(o => { o.TimeoutSeconds = 0.5; o.Retries = 0; });
        var e = await Assert.ThrowsAsync<ModelAnswerException>(() => m.JudgeAsync(Request(), CancellationToken.None));
        Assert.Equal("timeout", e.Reason);
    }

    [Theory]
    [InlineData("truncated", "{\"description\":\"a man", "length")]
    [InlineData("not_json", "I think someone fell.", "stop")]
    [InlineData("invalid", """{"description":"x","label":"dance","anomaly":true,"severity":"critical","confidence":0.9,"start":"","end":""}""", "stop")]
    [InlineData("invalid", """{"label":"fall"}""", "stop")]
    public async Task Bad_answers_are_counted_failures_without_retry(string reason, string content, string finish)
    {
        _server.Answer(content, finish);
        using var m = Model();
        var e = await Assert.ThrowsAsync<ModelAnswerException>(() => m.JudgeAsync(Request(), CancellationToken.None));
        Assert.Equal(reason, e.Reason);
        Assert.Single(_server.Requests);
        Assert.True(_outcomes.GetValueOrDefault(reason) == 1, string.Join(",", _outcomes.Select(kv => $"{kv.Key}={kv.Value}")));
    }

    [Fact]
    public async Task A_non_json_http_body_is_reported()
    {
        _server.Raw(200, "<html>gateway</html>");
        using var m = Model();
        Assert.Equal("not_json", (await Assert.ThrowsAsync<ModelAnswerException>(() => m.JudgeAsync(Request(), CancellationToken.None))).Reason);
    }

    [Fact]
    public async Task Circuit_opens_after_consecutive_failures_and_closes_after_its_time()
    {
        var time = new ManualTimeProvider();
        using var m = Model(o => { o.CircuitBreakerFailures = 2; o.CircuitBreakerSeconds = 30; }, time);
        for (var i = 0; i < 2; i++)
        {
            _server.Raw(400, "bad request");
            Assert.Equal("http_4xx", (await Assert.ThrowsAsync<ModelAnswerException>(() => m.JudgeAsync(Request(), CancellationToken.None))).Reason);
        }
        Assert.Equal("circuit_open", (await Assert.ThrowsAsync<ModelAnswerException>(() => m.JudgeAsync(Request(), CancellationToken.None))).Reason);
        Assert.Equal(2, _server.Requests.Count);
        time.Advance(TimeSpan.FromSeconds(31));
        _server.Answer(Good);
        Assert.Equal("fall", (await m.JudgeAsync(Request(), CancellationToken.None)).Label);
    }

    [Fact]
    public async Task The_api_key_never_appears_in_logs_or_errors()
    {
        _server.Raw(401, "invalid key " + "sk-other");
        _server.Answer("garbage");
        using var m = Model(o => o.Retries = 0);
        var e1 = await Assert.ThrowsAsync<ModelAnswerException>(() => m.JudgeAsync(Request(), CancellationToken.None));
        var e2 = await Assert.ThrowsAsync<ModelAnswerException>(() => m.JudgeAsync(Request(), CancellationToken.None));
        Assert.NotEmpty(_log.Lines);
        Assert.All(_log.Lines.Append(e1.ToString()).Append(e2.ToString()), l => Assert.DoesNotContain(Key, l));
        Assert.All(_server.Requests, r => Assert.Equal("Bearer " + Key, r.Authorization));
    }

    [Fact]
    public async Task A_thousand_malformed_oversized_or_slow_answers_are_each_counted_and_never_crash()
    {
        var oversized = new string('x', 512 * 1024);
        for (var i = 0; i < 1000; i++)
        {
            switch (i % 5)
            {
                case 0: _server.Raw(200, "not json at all"); break;
                case 1: _server.Raw(200, "{\"choices\":[{\"message\":{\"content\":\"{\\\"label\\\":\\\"fa"); break; // truncated
                case 2: _server.Answer("""{"label":"unicorn"}"""); break;                                                  // schema-invalid
                case 3: _server.Answer(oversized); break;                                                                      // oversized, not JSON
                default: if (i % 100 == 4) _server.Hang(); else _server.Raw(500, "boom"); break;                               // slow or failing
            }
        }
        using var m = Model(o => { o.Retries = 0; o.TimeoutSeconds = 0.2; o.CircuitBreakerFailures = 1000; o.CircuitBreakerSeconds = 0; });
        var reasons = new Dictionary<string, int>();
        for (var i = 0; i < 1000; i++)
        {
            var e = await Assert.ThrowsAsync<ModelAnswerException>(() => m.JudgeAsync(Request(), CancellationToken.None));
            reasons[e.Reason] = reasons.GetValueOrDefault(e.Reason) + 1;
        }
        Assert.Equal(1000, _outcomes.Where(kv => kv.Key != "ok").Sum(kv => kv.Value));
        Assert.Equal(0, _outcomes.GetValueOrDefault("ok"));
        Assert.True(reasons.Count >= 4, string.Join(", ", reasons.Select(r => $"{r.Key}={r.Value}")));
    }

    public void Dispose()
    {
        _meter.Dispose();
        _server.Dispose();
    }
}

/// <summary>Sums streamwatch_model_requests_total by outcome for one backend.</summary>
internal sealed class ModelOutcomes(string backend, ConcurrentDictionary<string, long> into) : IMetricsRecorder
{
    public void Add(CounterMetric counter, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (counter != StreamWatchMetrics.ModelRequests) return;
        string? b = null, outcome = null;
        foreach (var t in tags) { if (t.Key == "backend") b = t.Value as string; if (t.Key == "outcome") outcome = t.Value as string; }
        if (b == backend && outcome != null) into.AddOrUpdate(outcome, (long)value, (_, o) => o + (long)value);
    }

    public void Record(HistogramMetric histogram, double seconds, ReadOnlySpan<KeyValuePair<string, object?>> tags) { }
}
