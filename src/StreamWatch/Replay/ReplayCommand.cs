using Microsoft.Extensions.Logging.Abstractions;
using StreamWatch.Cli;
using StreamWatch.Config;
using StreamWatch.Core.Config;

namespace StreamWatch.Replay;

/// <summary>`streamwatch replay VIDEO [--config FILE] [--camera NAME] [--events-out FILE]`.</summary>
public static class ReplayCommand
{
    public static async Task<int> RunAsync(string video, string? configFile, string? cameraName, string? outFile)
    {
        var options = ConfigLoader.Load(configFile);
        await using var writer = outFile == null ? null : new StreamWriter(outFile, append: false);
        var output = writer ?? Console.Out;
        await ReplayFileAsync(video, options, cameraName, output, CancellationToken.None);
        return 0;
    }

    /// <summary>
    /// Replays a file through the pipeline of the named camera (or the first configured camera, or
    /// a camera with default settings named "replay"): same masks, zones and rules, file as input.
    /// </summary>
    public static async Task<ReplayResult> ReplayFileAsync(string video, AppOptions options, string? cameraName, TextWriter? output, CancellationToken ct)
    {
        var template = cameraName != null
            ? options.Cameras.FirstOrDefault(c => c.Name == cameraName) ?? throw new UsageException($"--camera: no camera named '{cameraName}'")
            : options.Cameras.FirstOrDefault();
        var camera = Clone(template ?? new CameraOptions { Name = "replay" }, video);
        await using var source = await FileLoop.OpenAsync(camera, ct);
        return await ReplayEngine.RunAsync(source, camera, options, output, NullLogger.Instance, ct);
    }

    private static CameraOptions Clone(CameraOptions c, string video) => new()
    {
        Name = c.Name, Url = video, Enabled = true, AnalysisFps = c.AnalysisFps, AnalysisWidth = c.AnalysisWidth,
        InferenceSize = c.InferenceSize, HwAccel = c.HwAccel, Realtime = false, Loop = false,
        Masks = c.Masks, Zones = c.Zones, Rules = c.Rules,
    };
}
