using Microsoft.Extensions.Logging;
using StreamWatch.Config;
using StreamWatch.Core.Alerts;
using StreamWatch.Core.Frames;
using StreamWatch.Core.Keyframes;
using StreamWatch.Core.Verdicts;
using StreamWatch.Inference.OpenAi;
using StreamWatch.Inference.Profiles;
using StreamWatch.Inference.Qwen3Vl;
using StreamWatch.Inference.Scheduling;

namespace StreamWatch.Runtime;

/// <summary>
/// Connects the cameras to the shared model: an open alert of a rule with a prompt profile is
/// (re)submitted whenever it gains keyframes; the scheduler coalesces, orders and deadlines the
/// work. Verdicts and failures (a held alert the model gave up on is published unverified) go back
/// as messages to the camera's own loop, which alone changes its alerts: nothing here calls into a
/// camera or holds a lock while handing over. A held alert's request goes before updates of published ones.
/// </summary>
public sealed class ModelJudge : IDisposable
{
    /// <summary>Work older than this is stale: the scene has moved on. A held alert that ended waits as long.</summary>
    public static readonly TimeSpan Deadline = AlertTracker.VerdictWait;

    private readonly InferenceScheduler _scheduler;
    private readonly IVisionModel _model;
    private readonly AppOptions _options;
    private readonly TimeProvider _time;
    private readonly Func<string, CameraWorker?> _workerOf;

    private long _requests;

    internal ModelJudge(IVisionModel model, AppOptions options, ILogger log, TimeProvider time, Func<string, CameraWorker?> workerOf)
    {
        _model = model; _options = options; _time = time; _workerOf = workerOf;
        _scheduler = new InferenceScheduler(model, options.Model.Scheduler, log,
            r => workerOf(r.Request.Camera)?.Post(CameraMessage.VerdictOf(r.AlertId, r.Verdict)),
            f =>
            {
                log.LogWarning("model {Model} gave no verdict for alert {Id} on {Camera}: {Error}", model.Name, f.AlertId, f.Request.Camera, f.Error.Message);
                Failed(f.Request.Camera, f.AlertId);
            },
            time);
    }

    /// <summary>Null when Model:Backend is "none".</summary>
    public static ModelJudge? Create(AppOptions options, IJpegEncoder jpeg, ILoggerFactory logs, TimeProvider time, Func<string, CameraWorker?> workerOf) =>
        CreateModel(options, jpeg, logs, time) is { } model ? new ModelJudge(model, options, logs.CreateLogger("model"), time, workerOf) : null;

    /// <summary>The configured backend (also for `streamwatch index`); null when Model:Backend is "none".</summary>
    public static IVisionModel? CreateModel(AppOptions options, IJpegEncoder jpeg, ILoggerFactory logs, TimeProvider time) => options.Model.Backend switch
    {
        ModelBackend.OpenAi => new OpenAiVisionModel(options.Model.OpenAi, PromptProfiles.Resolve(options.Model), jpeg,
            options.Model.MaxNewTokens, logs.CreateLogger("model"), time),
        ModelBackend.Onnx => Qwen3VlVisionModel.Create(options.Model, logs.CreateLogger("model")),
        _ => null,
    };

    /// <summary>Called by a camera's loop with its open alerts after a frame gave one of them keyframes (it opened with recent ones, or new ones attached).</summary>
    public void Submit(string camera, IEnumerable<Alert> openAlerts, IReadOnlyList<Core.Config.RuleOptions> rules)
    {
        foreach (var alert in openAlerts)
        {
            var rule = rules.FirstOrDefault(r => r.Name == alert.Rule);
            if (rule?.Profile is not { Length: > 0 } profile || alert.Keyframes.Count == 0) continue;
            var keyframes = KeyframePicker.Pick(alert.Keyframes, _options.Keyframes.MaxPerRequest);
            var held = alert.Phase == AlertPhase.New;
            Interlocked.Increment(ref _requests);           // unpublished: its verdict decides whether it is heard
            if (!_scheduler.TryEnqueue(new VerdictRequest(camera, alert.Rule, profile, keyframes, _time.GetUtcNow() + Deadline), alert.Id, urgent: held))
                Failed(camera, alert.Id);                       // refused (queue full): a held alert fails open at its end
        }
    }

    /// <summary>Requests submitted so far, refused ones included.</summary>
    internal long Requests => Interlocked.Read(ref _requests);
    internal SchedulerStats Stats => _scheduler.Stats;

    private void Failed(string camera, string alertId) => _workerOf(camera)?.Post(CameraMessage.FailureOf(alertId));

    public void Dispose()
    {
        _scheduler.Dispose();
        (_model as IDisposable)?.Dispose();
    }
}
