using System.Text.Json;

namespace StreamWatch.Evaluation;

/// <summary>Labelled intervals of one clip (seconds from the first frame).</summary>
public sealed record ClipLabels(IReadOnlyList<(double Start, double End, string Label)> Events, IReadOnlyList<(double Start, double End)> Quiet);

/// <summary>How the gate did on one clip.</summary>
public sealed record ClipScore(
    string Clip, int Events, int EventsHit, int QuietOpenings, int Openings, int Keyframes, int FixedSampler, double DurationS)
{
    public double Recall => Events == 0 ? 1 : (double)EventsHit / Events;
    /// <summary>Share of frames saved against sending one frame per second.</summary>
    public double Reduction => FixedSampler == 0 ? 0 : 1 - (double)Keyframes / FixedSampler;
}

/// <summary>Pure scoring of replay output against labels (the rules of `streamwatch eval`).</summary>
public static class EvalScoring
{
    /// <summary>An event counts as caught when the gate is open at some moment within [t0, t0 + tolerance].</summary>
    public const double OnsetToleranceS = 1.0;

    public static Dictionary<string, ClipLabels> ParseLabels(string json)
    {
        var result = new Dictionary<string, ClipLabels>(StringComparer.Ordinal);
        using var doc = JsonDocument.Parse(json);
        foreach (var clip in doc.RootElement.EnumerateObject())
        {
            if (clip.Name.StartsWith('_') || clip.Value.ValueKind != JsonValueKind.Object) continue;
            var events = new List<(double, double, string)>();
            var quiet = new List<(double, double)>();
            if (clip.Value.TryGetProperty("events", out var ev))
                foreach (var e in ev.EnumerateArray())
                    events.Add((e[0].GetDouble(), e[1].GetDouble(), e.GetArrayLength() > 2 ? e[2].GetString() ?? "" : ""));
            if (clip.Value.TryGetProperty("quiet", out var q))
                foreach (var e in q.EnumerateArray()) quiet.Add((e[0].GetDouble(), e[1].GetDouble()));
            result[clip.Name] = new ClipLabels(events, quiet);
        }
        return result;
    }

    /// <param name="gate">Gate-open intervals in seconds (an interval still open at the end ends at the clip's duration).</param>
    public static ClipScore Score(string clip, ClipLabels labels, IReadOnlyList<(double Start, double End)> gate, int keyframes, double durationS)
    {
        var hit = labels.Events.Count(e => gate.Any(g => g.Start <= e.Start + OnsetToleranceS && g.End >= e.Start));
        var quietOpenings = gate.Count(g => labels.Quiet.Any(q => g.Start >= q.Start && g.Start <= q.End));
        var fixedSampler = (int)Math.Floor(durationS);
        return new ClipScore(clip, labels.Events.Count, hit, quietOpenings, gate.Count, keyframes, fixedSampler, durationS);
    }

    public static ClipScore Total(IReadOnlyList<ClipScore> clips) => new(
        "overall", clips.Sum(c => c.Events), clips.Sum(c => c.EventsHit), clips.Sum(c => c.QuietOpenings),
        clips.Sum(c => c.Openings), clips.Sum(c => c.Keyframes), clips.Sum(c => c.FixedSampler), clips.Sum(c => c.DurationS));

    /// <summary>A Markdown table, one row per clip and the overall row last.</summary>
    public static string Table(IReadOnlyList<ClipScore> clips)
    {
        var sb = new System.Text.StringBuilder();
        sb.AppendLine("| clip | events | caught ≤1 s | recall | gate openings | openings in quiet | keyframes | 1 fps frames | reduction |");
        sb.AppendLine("|---|---|---|---|---|---|---|---|---|");
        foreach (var c in clips.Append(Total(clips)))
            sb.AppendLine(FormattableString.Invariant(
                $"| {c.Clip} | {c.Events} | {c.EventsHit} | {c.Recall:0.00} | {c.Openings} | {c.QuietOpenings} | {c.Keyframes} | {c.FixedSampler} | {c.Reduction:P0} |"));
        return sb.ToString();
    }
}
