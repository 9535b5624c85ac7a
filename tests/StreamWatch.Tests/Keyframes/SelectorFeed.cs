using StreamWatch.Core.Frames;
using StreamWatch.Core.Gate;
using StreamWatch.Core.Keyframes;

namespace StreamWatch.Tests.Keyframes;

/// <summary>Feeds a <see cref="KeyframeSelector"/> synthetic 4×4 frames at 5 fps.</summary>
internal static class SelectorFeed
{
    public static readonly DateTimeOffset T0 = new(2026, 11, 22, 4, 0, 0, TimeSpan.Zero);

    public static Frame MakeFrame(double seconds, byte fill)
    {
        var f = new Frame(4, 4) { Offset = TimeSpan.FromSeconds(seconds), CapturedUtc = T0.AddSeconds(seconds) };
        f.I420.AsSpan().Fill(fill);
        return f;
    }

    /// <summary>Feeds frames every 0.2 s from <paramref name="from"/>; the gate is open on [openAt, closeAt).</summary>
    public static List<Keyframe> Run(KeyframeSelector sel, double from, double to, double openAt, double closeAt, Func<double, float> score) =>
        Run(sel, from, to, t => t >= openAt - 1e-9 && t < closeAt - 1e-9, score);

    /// <summary>
    /// Feeds frames every 0.2 s on [from, to); the gate is open where <paramref name="open"/> says;
    /// <paramref name="before"/> runs before each frame is offered.
    /// </summary>
    public static List<Keyframe> Run(KeyframeSelector sel, double from, double to, Func<double, bool> open, Func<double, float> score,
        Action<double>? before = null)
    {
        var output = new List<Keyframe>();
        var wasOpen = false;
        for (var i = 0; from + i * 0.2 < to - 1e-9; i++)
        {
            var t = Math.Round(from + i * 0.2, 3);
            var isOpen = open(t);
            var transition = isOpen == wasOpen ? GateTransition.None : isOpen ? GateTransition.Opened : GateTransition.Closed;
            wasOpen = isOpen;
            before?.Invoke(t);
            sel.Offer(MakeFrame(t, (byte)(i % 250)), score(t), isOpen, transition, output);
        }
        return output;
    }

    public static double[] Offsets(IEnumerable<Keyframe> k) => k.Select(x => Math.Round(x.Offset.TotalSeconds, 3)).ToArray();
}
