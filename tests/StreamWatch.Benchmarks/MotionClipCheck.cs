using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using StreamWatch.Core.Gate;
using StreamWatch.Core.Motion;

namespace StreamWatch.Benchmarks;

/// <summary>
/// Offline check of the motion gate on labelled clips (labels.json beside them): decodes each clip
/// with ffmpeg at 5 fps, 320 px wide grey, runs MotionAnalyzer + MotionGate with default options
/// and prints event recall (gate open within 1 s of t0), openings inside quiet intervals and
/// openings overall. Usage: motion-clips DIR [CLIP-NAME [--frames]].
/// </summary>
internal static class MotionClipCheck
{
    private const double Fps = 5;
    private static readonly List<double> Micros = new();
    private static readonly List<(int W, int H, List<byte[]> Frames)> Decoded = new();

    public static int Run(string[] args)
    {
        if (args.Length < 1) { Console.Error.WriteLine("usage: motion-clips DIR [CLIP-NAME [--frames]]"); return 2; }
        var dir = args[0];
        using var labels = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "labels.json")));
        int events = 0, hits = 0, quietOpens = 0, opens = 0;
        foreach (var clip in labels.RootElement.EnumerateObject())
        {
            if (clip.Name.StartsWith('_') || (args.Length > 1 && clip.Name != args[1])) continue;
            var (intervals, frames) = RunClip(Path.Combine(dir, clip.Name), args.Contains("--frames"));
            var ev = Spans(clip.Value, "events");
            var quiet = Spans(clip.Value, "quiet");
            var hit = ev.Count(e => intervals.Any(o => o.Start <= e.T0 + 1 && o.End >= e.T0));
            var qo = intervals.Count(o => quiet.Any(q => o.Start >= q.T0 && o.Start <= q.T1));
            var late = ev.Where(e => !intervals.Any(o => o.Start <= e.T0 + 1 && o.End >= e.T0)).Select(e => e.T0.ToString("0.0", CultureInfo.InvariantCulture));
            Console.WriteLine($"{clip.Name,-38} frames {frames,4}  events {hit}/{ev.Count}  quiet-openings {qo}  openings {intervals.Count}"
                + (hit < ev.Count ? $"  missed t0: {string.Join(",", late)}" : "")
                + $"  open: {string.Join(" ", intervals.Select(o => $"{o.Start:0.0}-{o.End:0.0}"))}");
            events += ev.Count; hits += hit; quietOpens += qo; opens += intervals.Count;
        }
        CpuTime();
        Micros.Sort();
        if (Micros.Count > 0)
            Console.WriteLine($"analyze+gate per frame: median {Micros[Micros.Count / 2]:0} µs, p90 {Micros[Micros.Count * 9 / 10]:0} µs over {Micros.Count} frames (wall clock, includes machine load)");
        Console.WriteLine($"TOTAL recall {hits}/{events} = {(events == 0 ? 1 : (double)hits / events):0.000}  quiet-openings {quietOpens}  openings {opens}");
        return 0;
    }

    /// <summary>
    /// Re-analyses every decoded frame from memory 3 times. Process CPU time per frame and the best
    /// 25-frame batch (wall) are both far less disturbed by a loaded machine than single timings.
    /// </summary>
    private static void CpuTime()
    {
        var proc = Process.GetCurrentProcess();
        proc.Refresh();
        var cpu0 = proc.TotalProcessorTime;
        var batches = new List<double>();
        var frames = 0;
        for (var rep = 0; rep < 3; rep++)
            foreach (var (w, h, list) in Decoded)
            {
                var a = new MotionAnalyzer(Options(), w, h, []);
                var g = new MotionGate(new GateOptions());
                var batch = Stopwatch.StartNew();
                for (var i = 0; i < list.Count; i++, frames++)
                {
                    g.Update(a.Analyze(list[i]).Score, TimeSpan.FromSeconds(i / Fps));
                    if (i % 25 == 24) { batches.Add(batch.Elapsed.TotalMicroseconds / 25); batch.Restart(); }
                }
            }
        proc.Refresh();
        var cpu = (proc.TotalProcessorTime - cpu0).TotalMicroseconds / Math.Max(1, frames);
        batches.Sort();
        Console.WriteLine($"analyze+gate from memory, µs per frame: CPU {cpu:0}, best 25-frame batch {batches.FirstOrDefault():0}, median batch {batches.ElementAtOrDefault(batches.Count / 2):0} ({frames} frames)");
    }

    private static MotionOptions Options() => new()
    {
        GridColumns = int.Parse(Environment.GetEnvironmentVariable("MOTION_COLS") ?? "16", CultureInfo.InvariantCulture),
        GridRows = int.Parse(Environment.GetEnvironmentVariable("MOTION_ROWS") ?? "9", CultureInfo.InvariantCulture),
    };

    private static List<(double T0, double T1)> Spans(JsonElement clip, string name) =>
        clip.TryGetProperty(name, out var a)
            ? a.EnumerateArray().Select(e => (e[0].GetDouble(), e[1].GetDouble())).ToList()
            : new();

    private static (List<(double Start, double End)>, int) RunClip(string path, bool dump)
    {
        var (w, h) = Probe(path);
        var psi = new ProcessStartInfo("ffmpeg", ["-nostdin", "-loglevel", "error", "-i", path, "-an", "-vf", $"fps={Fps},scale={w}:{h}", "-f", "rawvideo", "-pix_fmt", "gray", "pipe:1"])
        { RedirectStandardOutput = true };
        using var p = Process.Start(psi)!;
        var analyzer = new MotionAnalyzer(Options(), w, h, []);
        var gate = new MotionGate(new GateOptions());
        var buf = new byte[w * h];
        var stream = p.StandardOutput.BaseStream;
        var list = new List<(double, double)>();
        var kept = new List<byte[]>();
        Decoded.Add((w, h, kept));
        double openAt = -1;
        var n = 0;
        for (; ; n++)
        {
            try { stream.ReadExactly(buf); } catch (EndOfStreamException) { break; }
            kept.Add((byte[])buf.Clone());
            var t = n / Fps;
            var t0 = Stopwatch.GetTimestamp();
            var r = analyzer.Analyze(buf);
            var tr = gate.Update(r.Score, TimeSpan.FromSeconds(t));
            var spent = Stopwatch.GetElapsedTime(t0).TotalMicroseconds;
            if (n > 0) { Micros.Add(spent); }
            if (tr == GateTransition.Opened) openAt = t;
            if (tr == GateTransition.Closed) { list.Add((openAt, t)); openAt = -1; }
            if (dump)
                Console.WriteLine(FormattableString.Invariant(
                    $"{t,6:0.0} score {r.Score,6:0.00} active {r.ActiveCells,3} gain {r.BrightnessGain:0.000}{(r.LightingChange ? " LIGHT" : "")} global {r.GlobalDx:0.00},{r.GlobalDy:0.00} {(gate.IsOpen ? "OPEN" : "")}"));
        }
        if (openAt >= 0) list.Add((openAt, n / Fps));
        p.WaitForExit();
        return (list, n);
    }

    /// <summary>320 px wide (portrait clips: 320 px on the short side is what a camera config gives too), even height.</summary>
    private static (int, int) Probe(string path)
    {
        var psi = new ProcessStartInfo("ffprobe", ["-v", "error", "-select_streams", "v:0", "-show_entries", "stream=width,height", "-of", "csv=p=0", path])
        { RedirectStandardOutput = true };
        using var p = Process.Start(psi)!;
        var parts = p.StandardOutput.ReadToEnd().Trim().Split(',');
        p.WaitForExit();
        int sw = int.Parse(parts[0], CultureInfo.InvariantCulture), sh = int.Parse(parts[1], CultureInfo.InvariantCulture);
        return (320, (int)Math.Round(320.0 * sh / sw / 2) * 2);
    }
}
