using StreamWatch.Config;
using StreamWatch.Replay;

namespace StreamWatch.Evaluation;

/// <summary>`streamwatch eval --clips DIR --labels FILE`: replays every labelled clip and scores the gate.</summary>
public static class EvalCommand
{
    public static async Task<int> RunAsync(string clips, string labelsFile, string? configFile, string? cameraName, string? outFile)
    {
        var options = ConfigLoader.Load(configFile);
        var labels = EvalScoring.ParseLabels(await File.ReadAllTextAsync(labelsFile));
        var scores = new List<ClipScore>();
        foreach (var (clip, clipLabels) in labels.OrderBy(l => l.Key, StringComparer.Ordinal))
        {
            var path = Path.Combine(clips, clip);
            if (!File.Exists(path)) { Console.Error.WriteLine($"eval: {clip} not found in {clips}, skipped"); continue; }
            var result = await ReplayCommand.ReplayFileAsync(path, options, cameraName, output: null, CancellationToken.None);
            var score = EvalScoring.Score(clip, clipLabels, result.GateIntervals, result.Keyframes, result.DurationSeconds);
            scores.Add(score);
            Console.Error.WriteLine(FormattableString.Invariant(
                $"eval: {clip}: recall {score.Recall:0.00}, quiet openings {score.QuietOpenings}, keyframes {score.Keyframes} vs {score.FixedSampler} ({result.Frames} frames in {result.WallSeconds:0.0} s)"));
        }
        var table = EvalScoring.Table(scores);
        Console.Write(table);
        if (outFile != null) await File.WriteAllTextAsync(outFile, table);
        return 0;
    }
}
