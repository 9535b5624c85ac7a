namespace StreamWatch.IntegrationTests.Support;

/// <summary>Clips generated with ffmpeg's lavfi sources (the tests never ship footage).</summary>
public static class TestClips
{
    /// <summary>
    /// 640×360, 25 fps, <paramref name="seconds"/> long: a static textured scene; a textured box
    /// crosses it left to right between <paramref name="enterS"/> and enterS + 4 s at y ≈ 0.5–0.8.
    /// </summary>
    public static async Task<string> MovingBoxAsync(string dir, double seconds = 12, double enterS = 3)
    {
        var path = Path.Combine(dir, $"box-{seconds}-{enterS}.mp4");
        if (File.Exists(path)) return path;
        var x = FormattableString.Invariant($"if(between(t,{enterS},{enterS + 4}),-60+(t-{enterS})*175,-100)");
        await RunFfmpegAsync(
            "-f", "lavfi", "-i", "mandelbrot=size=640x360:rate=25:maxiter=64,trim=end_frame=1,loop=loop=-1:size=1,setpts=N/25/TB",
            "-f", "lavfi", "-i", "testsrc2=size=60x110:rate=25",
            "-filter_complex", $"[0:v][1:v]overlay=x='{x}':y=180:shortest=1,format=yuv420p[v]",
            "-map", "[v]", "-t", seconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "-c:v", "libx264", "-preset", "veryfast", "-bf", "0", "-g", "50", path);
        return path;
    }

    public static async Task RunFfmpegAsync(params string[] args)
    {
        await using var p = ChildProcess.Start("ffmpeg", new[] { "-nostdin", "-loglevel", "error", "-y" }.Concat(args));
        var code = await p.WaitExitAsync(TimeSpan.FromMinutes(2));
        if (code != 0) throw new InvalidOperationException($"ffmpeg failed ({code}):\n{p.Tail()}");
    }
}
