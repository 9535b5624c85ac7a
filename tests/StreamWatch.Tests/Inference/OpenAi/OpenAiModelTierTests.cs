using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using StreamWatch.Core.Frames;
using StreamWatch.Core.Keyframes;
using StreamWatch.Core.Verdicts;
using StreamWatch.Inference.OpenAi;
using StreamWatch.Inference.Profiles;

namespace StreamWatch.Tests.Inference.OpenAi;

/// <summary>A shared model tier: two stand-in OpenAI servers on 127.0.0.1, one of which hangs.</summary>
[Collection("model_requests metric")] // not beside OpenAiVisionModelTests, whose listener would count these requests
public sealed class OpenAiModelTierTests : IDisposable
{
    private const string Good = """{"description":"a man falls","label":"fall","anomaly":true,"severity":"critical","confidence":0.9,"start":"00:00:03.400","end":"00:00:04.000"}""";
    private readonly FakeOpenAiServer _hangs = new();
    private readonly FakeOpenAiServer _works = new();
    private readonly ListLogger _log = new();

    private sealed class Jpeg : IJpegEncoder
    {
        public byte[] EncodeI420(ReadOnlySpan<byte> i420, int width, int height, int quality = 85, SnapshotOverlay? overlay = null) => [0xFF, 0xD8, 0xFF, 0xD9];
    }

    private sealed class ListLogger : ILogger
    {
        public ConcurrentQueue<string> Lines { get; } = new();
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel level, EventId id, TState state, Exception? e, Func<TState, Exception?, string> f) => Lines.Enqueue(f(state, e));
    }

    private static VerdictRequest Request() => new("cam1", "r1", "security",
        [new Keyframe("cam1", DateTimeOffset.UnixEpoch, TimeSpan.FromSeconds(3.4), 1, false, 64, 48, new byte[64 * 48 * 3 / 2])], DateTimeOffset.MaxValue);

    [Fact]
    public async Task Verdicts_keep_arriving_through_the_other_server_while_one_hangs_and_it_is_tried_again_later()
    {
        for (var i = 0; i < 10; i++) _hangs.Hang();
        for (var i = 0; i < 300; i++) _works.Answer(Good);
        var options = new OpenAiOptions
        {
            BaseUrls = [_hangs.BaseUrl, _works.BaseUrl], Model = "qwen3-vl", TimeoutSeconds = 1, Retries = 1, RetryBaseDelaySeconds = 0,
            CircuitBreakerFailures = 2, CircuitBreakerSeconds = 5,
        };
        using var model = new OpenAiVisionModel(options, PromptProfiles.Resolve(new ModelOptions()), new Jpeg(), 256, _log);

        // Four at once: least-outstanding spreads them over both; each one sent to the hanging server
        // times out and is retried on the other, so every request gets its verdict.
        var first = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => model.JudgeAsync(Request(), CancellationToken.None)));
        Assert.All(first, v => Assert.Equal("fall", v.Label));
        Assert.Equal(2, _hangs.Requests.Count);
        Assert.Contains(_log.Lines, l => l.Contains($"127.0.0.1:{_hangs.Port} failed 2 times in a row; circuit open"));

        // While its circuit is open the hanging server gets nothing and verdicts come straight from the other.
        for (var i = 0; i < 5; i++) Assert.Equal("fall", (await model.JudgeAsync(Request(), CancellationToken.None)).Label);
        Assert.Equal(2, _hangs.Requests.Count);

        // Later it is tried again (and, still hanging, taken out again at once); verdicts still arrive.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (_hangs.Requests.Count == 2)
        {
            Assert.True(DateTime.UtcNow < deadline, "the hanging server was never tried again");
            Assert.Equal("fall", (await model.JudgeAsync(Request(), CancellationToken.None)).Label);
            await Task.Delay(100); // request pace while waiting (bounded above) for the circuit's time to pass
        }
        Assert.Equal(3, _hangs.Requests.Count);
    }

    public void Dispose()
    {
        _hangs.Dispose();
        _works.Dispose();
    }
}
