using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging.Abstractions;
using StreamWatch.Config;
using StreamWatch.Core.Alerts;
using StreamWatch.Core.Config;
using StreamWatch.Core.Frames;
using StreamWatch.Core.Pipeline;
using StreamWatch.Core.Verdicts;
using StreamWatch.Imaging;
using StreamWatch.Ingest;
using StreamWatch.Replay;
using StreamWatch.Runtime;
using StreamWatch.Sinks;
using StreamWatch.Store;

namespace StreamWatch.Indexing;

/// <summary>
/// `streamwatch index VIDEO`: the file through the camera loop as fast as it decodes, every open
/// alert that gains keyframes judged by the configured model right away (in stream order, so the
/// result does not depend on the machine's speed), the events stored under a camera named after
/// the file, and a timeline written (docs/index.md). Stream time 0 is the moment the run began.
/// </summary>
public static class IndexCommand
{
    public static async Task<int> RunAsync(string video, string? configFile, string? profile, string? outFile, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        var options = ConfigLoader.Load(configFile);
        if (options.Model.Backend == Inference.Profiles.ModelBackend.None)
            throw new ConfigException(new[] { "Model:Backend: streamwatch index needs a model backend (onnx or openai)" });
        var profiles = Inference.Profiles.PromptProfiles.Resolve(options.Model);
        profile ??= "security";
        if (!profiles.ContainsKey(profile))
            throw new Cli.UsageException($"--profile: no prompt profile named '{profile}' (known: {string.Join(", ", profiles.Keys)})");

        var camera = CameraFor(video, profile);
        var jpeg = new OpenCvJpegEncoder();
        using var model = new DisposableModel(ModelJudge.CreateModel(options, jpeg, NullLoggerFactory.Instance, TimeProvider.System)!);
        ProgressBar? bar = null;
        if (stderr == Console.Error && !Console.IsErrorRedirected && await MediaDuration.ProbeAsync(video, ct) is { } total)
            bar = new ProgressBar(stderr, total);

        await using var source = await FileLoop.OpenAsync(camera, ct);
        // opened (created when missing: index writes events) only once the file decodes
        using var store = options.Store.Enabled ? await EventStores.OpenAsync(options.Store, options.Output.Resolve, ct) : null;
        var timeline = await RunAsync(source, camera, options, model.Model, store, jpeg, DateTimeOffset.UtcNow, bar, stderr, ct);
        bar?.Finish();

        var json = JsonSerializer.Serialize(new { video = Path.GetFileName(video), camera = camera.Name, events = timeline },
            new JsonSerializerOptions { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower });
        if (outFile != null) await File.WriteAllTextAsync(outFile, json + "\n", ct);
        else await stdout.WriteLineAsync(json);
        stderr.WriteLine($"streamwatch: indexed {timeline.Count} event(s) of '{video}' as camera '{camera.Name}'" +
                         (store != null ? "" : " (Store:Enabled is false: not stored)"));
        return 0;
    }

    /// <summary>The camera an indexed file becomes: its name, defaults, one whole-frame motion rule judged with <paramref name="profile"/>.</summary>
    public static CameraOptions CameraFor(string video, string profile) => new()
    {
        Name = CameraName(video), Url = video, Enabled = true, Realtime = false, Loop = false,
        Rules = [new RuleOptions { Name = "index", Type = RuleType.Motion, Severity = Severity.Info, Profile = profile, CooldownSeconds = 0 }],
    };

    /// <summary>"Front door 2026.mp4" → "Front-door-2026": the file name without extension, in the characters a camera name may use.</summary>
    public static string CameraName(string video)
    {
        var name = Regex.Replace(Path.GetFileNameWithoutExtension(video), "[^A-Za-z0-9_-]+", "-").Trim('-');
        return name.Length == 0 ? "video" : name;
    }

    private static async Task<List<TimelineEntry>> RunAsync(FfmpegFrameSource source, CameraOptions camera, AppOptions options, IVisionModel model,
        IEventStore? store, IJpegEncoder jpeg, DateTimeOffset origin, ProgressBar? bar, TextWriter stderr, CancellationToken ct)
    {
        var latest = new Dictionary<string, Alert>();
        var order = new List<string>();

        async ValueTask Record(PipelineEvent e)
        {
            if (e is not AlertChanged a) return;
            if (latest.TryAdd(a.Alert.Id, a.Alert)) order.Add(a.Alert.Id);
            else latest[a.Alert.Id] = a.Alert;
            if (store != null) await store.RecordAlertAsync(StoreSink.ToRecord(a, jpeg, camera), ct);
        }

        await FileLoop.RunAsync(source, camera, options, origin, f => bar?.Report(f.Offset), Record, new FileJudge(model, stderr), NullLogger.Instance, ct);
        return order.Select(id => TimelineEntry.Of(latest[id])).ToList();
    }

    private sealed class DisposableModel(IVisionModel model) : IDisposable
    {
        public IVisionModel Model => model;
        public void Dispose() => (model as IDisposable)?.Dispose();
    }
}

/// <summary>One event of the timeline: offsets into the file as HH:MM:SS.sss.</summary>
public sealed record TimelineEntry(string Id, string Start, string End, string? Label, string? Description, double? Confidence, string[] Keyframes)
{
    public static TimelineEntry Of(Alert a) => new(a.Id, Clock(a.StartOffset), Clock(a.Offset), a.Label, a.Description, a.Confidence,
        a.Keyframes.Select(k => Clock(k.Offset)).ToArray());

    public static string Clock(TimeSpan t) => $"{(int)t.TotalHours:00}:{t.Minutes:00}:{t.Seconds:00}.{t.Milliseconds:000}";
}
