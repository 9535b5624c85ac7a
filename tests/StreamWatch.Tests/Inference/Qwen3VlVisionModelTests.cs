using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using StreamWatch.Cli;
using StreamWatch.Core.Config;
using StreamWatch.Core.Keyframes;
using StreamWatch.Core.Telemetry;
using StreamWatch.Core.Verdicts;
using StreamWatch.Inference.Json;
using StreamWatch.Inference.Onnx;
using StreamWatch.Inference.Profiles;
using StreamWatch.Inference.Qwen3Vl;
using StreamWatch.Tests.Inference.Onnx;
using StreamWatch.Tests.Inference.Tokenizer;

namespace StreamWatch.Tests.Inference;

/// <summary>A tiny export (real 151 936-wide logits) with the real tokenizer, loaded once: the vocabulary build is the slow part.</summary>
public sealed class TinyQwenVisionModelFixture : IDisposable
{
    public string Dir { get; } = TinyQwen.Write(new TinySpec(ModelLayout.OnnxCommunity));
    public Qwen3VlVisionModel Model { get; }

    public TinyQwenVisionModelFixture() => Model = Qwen3VlVisionModel.Create(Options(Dir), NullLogger.Instance);

    public static ModelOptions Options(string dir) => new()
    {
        Backend = ModelBackend.Onnx,
        MaxPixels = 65_536,
        MaxNewTokens = 4096,      // the tiny model's logits ramble inside strings up to their maxLength
        Onnx = new OnnxOptions { ModelDirectory = dir, TokenizerPath = RealTokenizer.Path, IntraOpThreads = 1 },
    };

    public void Dispose()
    {
        Model.Dispose();
        Directory.Delete(Dir, true);
    }
}

public sealed class Qwen3VlVisionModelTests : IClassFixture<TinyQwenVisionModelFixture>, IDisposable
{
    private readonly TinyQwenVisionModelFixture fx;
    private readonly IDisposable _meter;
    private readonly ConcurrentDictionary<string, long> _outcomes = new();

    public Qwen3VlVisionModelTests(TinyQwenVisionModelFixture fixture)
    {
        fx = fixture;
        _meter = Metric.Attach(new ModelOutcomes("onnx", _outcomes));
    }

    public void Dispose() => _meter.Dispose();

    private long Count(string outcome) => _outcomes.GetValueOrDefault(outcome);

    private static Keyframe Frame(double seconds, int seed)
    {
        const int w = 64, h = 48;
        var i420 = new byte[w * h * 3 / 2];
        new Random(seed).NextBytes(i420);
        return new Keyframe("yard", DateTimeOffset.UnixEpoch, TimeSpan.FromSeconds(seconds), 5, false, w, h, i420);
    }

    private static VerdictRequest Request(string profile = "security") =>
        new("yard", "intrusion", profile, [Frame(1.5, 1), Frame(2.25, 2)], DateTimeOffset.UtcNow.AddMinutes(5));

    [Fact]
    public async Task Judges_keyframes_into_a_schema_valid_verdict()
    {
        var v = await fx.Model.JudgeAsync(Request(), CancellationToken.None);

        var schema = PromptProfiles.Security.Schema;
        Assert.Empty(JsonSchemaValidator.Validate(schema, v.RawJson));
        using var doc = JsonDocument.Parse(v.RawJson);
        Assert.Equal(doc.RootElement.GetProperty("label").GetString(), v.Label);
        var labels = schema.Properties.First(p => p.Key == "label").Value.Enum!;
        Assert.Contains(v.Label, labels);
        Assert.True(v.LatencyMs > 0);
        Assert.Equal("onnx:" + Path.GetFileName(fx.Dir), v.Model);
        Assert.Equal(v.Model, fx.Model.Name);
        Assert.Equal(1, Count("ok"));
    }

    [Fact]
    public async Task A_cancelled_token_cancels()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => fx.Model.JudgeAsync(Request(), cts.Token));
    }

    [Fact]
    public async Task An_unknown_profile_is_a_model_answer_failure()
    {
        var e = await Assert.ThrowsAsync<StreamWatch.Inference.ModelAnswerException>(() => fx.Model.JudgeAsync(Request("nope"), CancellationToken.None));
        Assert.Equal("error", e.Reason);
        Assert.Contains("unknown profile 'nope'", e.Message);
        Assert.Equal(1, Count("error"));
    }

    [Fact]
    public async Task An_answer_cut_by_the_token_cap_is_a_bad_answer()
    {
        var options = TinyQwenVisionModelFixture.Options(fx.Dir);
        options.MaxNewTokens = 16;
        using var model = Qwen3VlVisionModel.Create(options, NullLogger.Instance);
        var e = await Assert.ThrowsAsync<StreamWatch.Inference.ModelAnswerException>(() => model.JudgeAsync(Request(), CancellationToken.None));
        Assert.Equal("bad_answer", e.Reason);
        Assert.Contains("cut at 16 tokens (Model:MaxNewTokens)", e.Message);
        Assert.Equal(1, Count("bad_answer"));
        Assert.Equal(0, Count("ok"));
    }

    [Fact]
    public void The_onnx_backend_needs_an_existing_model_directory()
    {
        var errors = new ConfigErrors();
        new ModelOptions { Backend = ModelBackend.Onnx }.Validate("Model", errors);
        Assert.Contains(errors.Errors, e => e.Contains("Model:Onnx:ModelDirectory") && e.Contains("required"));

        var e = Assert.Throws<ConfigException>(() => Qwen3VlVisionModel.Create(TinyQwenVisionModelFixture.Options("/no/such/model"), NullLogger.Instance));
        Assert.Contains("Model:Onnx:ModelDirectory", e.Message);
        Assert.Contains("does not exist", e.Message);
    }

    [Fact]
    public void Model_check_describes_a_tiny_export()
    {
        var (code, stdout, _) = Check(fx.Dir);
        Assert.Equal(0, code);
        Assert.Contains("layout: onnx-community", stdout);
        Assert.Contains("decoder graph: onnx/decoder_model_merged.onnx", stdout);
    }

    [Fact]
    public void Model_check_of_an_empty_folder_says_what_is_missing()
    {
        var dir = Directory.CreateTempSubdirectory("sw-empty-model-").FullName;
        try
        {
            var (code, stdout, stderr) = Check(dir);
            Assert.Equal(1, code);
            Assert.Contains("problem: ", stdout);
            Assert.Contains("expected genai_config.json", stdout);
            Assert.Contains("is not a usable Qwen3-VL ONNX export", stderr);
        }
        finally { Directory.Delete(dir, true); }
    }

    private static (int Code, string Stdout, string Stderr) Check(string dir)
    {
        var (o, e) = (new StringWriter(), new StringWriter());
        var code = ModelCommand.Run(dir, null, o, e);
        return (code, o.ToString(), e.ToString());
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
