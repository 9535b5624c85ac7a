using System.Globalization;

namespace StreamWatch.Core.Frames;

/// <summary>The one way StreamWatch writes times: UTC ISO-8601 and stream offsets as HH:MM:SS.sss.</summary>
public static class Timecode
{
    public static string Offset(TimeSpan offset)
    {
        if (offset < TimeSpan.Zero) offset = TimeSpan.Zero;
        var totalHours = (long)offset.TotalHours;
        return string.Create(CultureInfo.InvariantCulture, $"{totalHours:00}:{offset.Minutes:00}:{offset.Seconds:00}.{offset.Milliseconds:000}");
    }

    public static string Utc(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>Offset in seconds rounded to milliseconds, for JSON numbers.</summary>
    public static double Seconds(TimeSpan offset) => Math.Round(offset.TotalSeconds, 3);
}
