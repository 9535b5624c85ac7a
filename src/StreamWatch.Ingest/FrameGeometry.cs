namespace StreamWatch.Ingest;

/// <summary>Sizes derived from the decoded frame size — pure.</summary>
public static class FrameGeometry
{
    /// <summary>Stream offset of frame <paramref name="sequence"/> at a constant frame rate.</summary>
    public static TimeSpan Offset(long sequence, double fps) => TimeSpan.FromTicks((long)Math.Round(sequence * TimeSpan.TicksPerSecond / fps));
}
