using System.Diagnostics;
using System.Globalization;

namespace StreamWatch.Ingest;

/// <summary>A media file's duration from ffprobe; null when ffprobe cannot tell.</summary>
public static class MediaDuration
{
    public static async Task<TimeSpan?> ProbeAsync(string file, CancellationToken ct)
    {
        var psi = new ProcessStartInfo("ffprobe") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "-v", "error", "-show_entries", "format=duration", "-of", "default=noprint_wrappers=1:nokey=1", "--", file })
            psi.ArgumentList.Add(a);
        try
        {
            using var p = Process.Start(psi)!;
            var text = await p.StandardOutput.ReadToEndAsync(ct);
            await p.WaitForExitAsync(ct);
            return p.ExitCode == 0 && double.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var s) && s > 0
                ? TimeSpan.FromSeconds(s) : null;
        }
        catch (System.ComponentModel.Win32Exception) { return null; } // no ffprobe: no ETA
    }
}
