using System.Diagnostics;

namespace StreamWatch.Indexing;

/// <summary>A one-line progress bar with ETA, redrawn at most 4 times a second (only used when stderr is a terminal).</summary>
public sealed class ProgressBar(TextWriter output, TimeSpan total)
{
    private readonly Stopwatch _wall = Stopwatch.StartNew();
    private long _lastDraw = -1000;

    public void Report(TimeSpan done)
    {
        if (_wall.ElapsedMilliseconds - _lastDraw < 250) return;
        _lastDraw = _wall.ElapsedMilliseconds;
        output.Write("\r" + Line(done, total, _wall.Elapsed));
        output.Flush();
    }

    public void Finish() => output.WriteLine();

    /// <summary>"[#######.............]  35%  00:01:03/00:03:00  ETA 00:00:42" (pure, tested).</summary>
    public static string Line(TimeSpan done, TimeSpan total, TimeSpan elapsed)
    {
        var fraction = total > TimeSpan.Zero ? Math.Clamp(done / total, 0, 1) : 0;
        var filled = (int)(fraction * 20);
        var eta = fraction > 0 ? elapsed * ((1 - fraction) / fraction) : (TimeSpan?)null;
        return $"[{new string('#', filled)}{new string('.', 20 - filled)}] {fraction * 100,3:0}%  {done:hh\\:mm\\:ss}/{total:hh\\:mm\\:ss}  ETA {(eta is { } e ? e.ToString(@"hh\:mm\:ss") : "--:--:--")}";
    }
}
