using System.Diagnostics;
using Microsoft.Extensions.Logging;
using StreamWatch.Core.Config;
using StreamWatch.Core.Telemetry;
using StreamWatch.Core.Verdicts;
using StreamWatch.Inference.Json;
using StreamWatch.Inference.Onnx;
using StreamWatch.Inference.Profiles;

namespace StreamWatch.Inference.Qwen3Vl;

/// <summary>
/// The in-process backend: Qwen3-VL on ONNX Runtime. Each request's keyframes are preprocessed
/// (Model:MaxPixels), put in the prompt after their t=HH:MM:SS.sss labels, and the answer is decoded
/// under the profile's JSON-schema constraint. Generation is CPU-heavy and synchronous, so it runs
/// on its own thread, one at a time. Every outcome is counted (model_requests{backend="onnx"}); a
/// failure is logged and thrown as <see cref="ModelAnswerException"/>.
/// </summary>
public sealed class Qwen3VlVisionModel : IVisionModel, IDisposable
{
    private readonly Qwen3VlModel _model;
    private readonly Qwen3Tokenizer _tokenizer;
    private readonly ConstraintVocabulary _vocab;
    private readonly IReadOnlyDictionary<string, PromptProfile> _profiles;
    private readonly int _maxPixels, _maxNewTokens;
    private readonly ILogger _log;
    private readonly SemaphoreSlim _gate = new(1, 1);

    private Qwen3VlVisionModel(Qwen3VlModel model, Qwen3Tokenizer tokenizer, ModelOptions options, ILogger log)
    {
        (_model, _tokenizer, _log) = (model, tokenizer, log);
        _vocab = new ConstraintVocabulary(tokenizer);
        _profiles = PromptProfiles.Resolve(options);
        (_maxPixels, _maxNewTokens) = (options.MaxPixels, options.MaxNewTokens);
        var dir = Path.GetFullPath(options.Onnx.ModelDirectory);
        Name = "onnx:" + Path.GetFileName(Path.TrimEndingDirectorySeparator(dir));
    }

    public string Name { get; }

    /// <summary>Loads ONNX Runtime, the model folder and the tokenizer; a problem with any is a <see cref="ConfigException"/> naming the key.</summary>
    public static Qwen3VlVisionModel Create(ModelOptions options, ILogger log)
    {
        var errors = new ConfigErrors();
        options.Onnx.Validate("Model:Onnx", errors);
        if (errors.Any) throw new ConfigException(errors.Errors);

        var o = options.Onnx;
        var tokenizerPath = o.ResolveTokenizerPath();
        Qwen3Tokenizer tokenizer;
        try { tokenizer = Qwen3Tokenizer.Load(tokenizerPath); }
        catch (Exception e) { throw new ConfigException([$"Model:Onnx:TokenizerPath: cannot load '{tokenizerPath}': {e.Message}"]); }

        OnnxEnvironment runtime;
        try { runtime = new OnnxEnvironment(log); }
        catch (Exception e) { throw new ConfigException([$"Model:Onnx:Provider: cannot load ONNX Runtime: {e.Message}"]); }
        try
        {
            var model = Qwen3VlModel.Load(o.ModelDirectory, runtime, o, log);
            return new Qwen3VlVisionModel(model, tokenizer, options, log);
        }
        catch (Exception e)
        {
            throw new ConfigException([$"Model:Onnx:ModelDirectory: '{o.ModelDirectory}' is not a usable Qwen3-VL export: {e.Message} (see `streamwatch model check DIR`)"]);
        }
    }

    private static readonly KeyValuePair<string, object?> Backend = new("backend", "onnx");

    public async Task<Verdict> JudgeAsync(VerdictRequest request, CancellationToken cancellationToken)
    {
        if (!_profiles.TryGetValue(request.Profile, out var profile)) throw Fail("error", $"{Name}: unknown profile '{request.Profile}'");
        var started = Stopwatch.GetTimestamp();
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await Task.Factory.StartNew(() => Judge(request, profile, started, cancellationToken),
                cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default).ConfigureAwait(false);
        }
        finally { _gate.Release(); }
    }

    private Verdict Judge(VerdictRequest request, PromptProfile profile, long started, CancellationToken ct)
    {
        GenerationResult result;
        var judging = Stopwatch.GetTimestamp();
        try
        {
            var images = request.Keyframes.Select(k => ImagePreprocessor.FromI420(k.I420, k.Width, k.Height, _maxPixels)).ToList();
            var items = PromptBuilder.KeyframeItems(request.Keyframes.Select((k, i) => (k.Offset, images[i])), profile.Question);
            var prompt = new PromptBuilder(_tokenizer).Build(profile.System, items);
            var constraint = new JsonSchemaConstraint(_vocab, profile.Program);
            result = new Qwen3VlGenerator(_model, _tokenizer).Generate(prompt, images, constraint, _maxNewTokens, ct);
            StreamWatchMetrics.ModelRequestTime.Record(Stopwatch.GetElapsedTime(judging).TotalSeconds, Backend);
            foreach (var step in result.Steps.Skip(1)) // step 0 is the prefill
                StreamWatchMetrics.ModelTokenTime.Record(step.StepMicros / 1e6, Backend);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested) { throw; }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw Fail("error", $"{Name}: generation failed for {request.Camera}/{request.Rule}: {e.GetType().Name}: {e.Message}", e);
        }

        var text = _tokenizer.Decode(result.TokenIds);
        if (result.Reason == StopReason.MaxTokens)
            throw Fail("bad_answer", $"{Name}: the answer was cut at {_maxNewTokens} tokens (Model:MaxNewTokens): {Snippet(text)}");
        var problems = JsonSchemaValidator.Validate(profile.Schema, text);
        if (problems.Count > 0)
            throw Fail("bad_answer", $"{Name}: answer fails the '{profile.Name}' schema: {string.Join("; ", problems.Take(3))}; answer: {Snippet(text)}");
        StreamWatchMetrics.ModelRequests.Add(1, new("backend", "onnx"), new("outcome", "ok"));
        return VerdictParser.Parse(text, Name, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }

    private ModelAnswerException Fail(string outcome, string message, Exception? inner = null)
    {
        StreamWatchMetrics.ModelRequests.Add(1, new("backend", "onnx"), new("outcome", outcome));
        _log.LogWarning("{Message}", message);
        return new ModelAnswerException(outcome, message, inner);
    }

    private static string Snippet(string s) => s.Length <= 200 ? s : s[..200] + "…";

    public void Dispose()
    {
        // A generation still running (its scheduler has cancelled it; it stops at the next step) must end
        // before its session goes: disposing under it crashed the daemon on SIGTERM (exit 139).
        if (!_gate.Wait(TimeSpan.FromSeconds(30))) return;
        _model.Dispose();
        _gate.Dispose();
    }
}
