namespace StreamWatch.Ingest;

/// <summary>Sizes derived from the decoded frame size — pure.</summary>
public static class FrameGeometry
{
    /// <summary>The grey analysis plane: <paramref name="analysisWidth"/> wide (at most the frame's
    /// width), height following the aspect ratio, both even.</summary>
    public static (int Width, int Height) AnalysisSize(int width, int height, int analysisWidth)
    {
        var w = Math.Max(2, Math.Min(analysisWidth, width) & ~1);
        var h = Math.Max(2, (int)Math.Round((double)w * height / width / 2) * 2);
        return (w, h);
    }

    /// <summary>Stream offset of frame <paramref name="sequence"/> at a constant frame rate.</summary>
    public static TimeSpan Offset(long sequence, double fps) => TimeSpan.FromTicks((long)Math.Round(sequence * TimeSpan.TicksPerSecond / fps));
}
