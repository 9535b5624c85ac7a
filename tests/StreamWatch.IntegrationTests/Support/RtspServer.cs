namespace StreamWatch.IntegrationTests.Support;

/// <summary>
/// A GStreamer RTSP server (tests/rtsp/rtsp_server.py via Debian's /usr/bin/python3) serving a
/// looping 640×360 25 fps H.264 test clip at <see cref="Url"/> on 127.0.0.1 and a free port.
/// It can be killed and started again on the same port, and stalled (SIGSTOP: sockets stay open,
/// nothing is sent) to exercise a client's watchdog.
/// </summary>
public sealed class RtspServer : IAsyncDisposable
{
    public const int ClipWidth = 640, ClipHeight = 360;
    private static readonly SemaphoreSlim ClipLock = new(1, 1);
    private static readonly Dictionary<(int, int), string> Clips = new();
    private ChildProcess? _process;
    private bool _stalled;

    private RtspServer(int port) { Port = port; }

    public int Port { get; }

    /// <summary>rtsp://[userInfo@]127.0.0.1:port/cam</summary>
    public string Url(string? userInfo = null) => $"rtsp://{(userInfo == null ? "" : userInfo + "@")}127.0.0.1:{Port}/cam";

    public bool Running => _process is { HasExited: false };

    public static async Task<RtspServer> StartAsync()
    {
        var s = new RtspServer(FreePort.Get());
        await s.StartAgainAsync();
        return s;
    }

    /// <summary>Starts the server (again) on the same port; completes once it accepts connections.</summary>
    /// <param name="width">Width of the clip served (a camera reconfigured to another size), default <see cref="ClipWidth"/>.</param>
    /// <param name="height">Height of the clip served, default <see cref="ClipHeight"/>.</param>
    public async Task StartAgainAsync(int width = ClipWidth, int height = ClipHeight)
    {
        if (Running) throw new InvalidOperationException("already running");
        var clip = await ClipAsync(width, height);
        _process = ChildProcess.Start("/usr/bin/python3",
            [Path.Combine(Repo.Root, "tests", "rtsp", "rtsp_server.py"), "--port", Port.ToString(), "--file", clip]);
        await _process.WaitForLineAsync("^READY ", TimeSpan.FromSeconds(60));
        await FreePort.WaitOpenAsync(Port, TimeSpan.FromSeconds(30));
    }

    /// <summary>Kills the server (SIGKILL, as a crashing camera would vanish) and waits for it to exit.</summary>
    public async Task StopAsync()
    {
        if (_process == null) return;
        _process.Signal(ChildProcess.SIGKILL);
        await _process.WaitExitAsync(TimeSpan.FromSeconds(30));
        await _process.DisposeAsync();
        _process = null;
        _stalled = false;
    }

    /// <summary>Freezes the server (SIGSTOP): connections stay open but no data flows.</summary>
    public void Stall() { _process?.Signal(ChildProcess.SIGSTOP); _stalled = true; }

    public void Resume() { _process?.Signal(ChildProcess.SIGCONT); _stalled = false; }

    /// <summary>The H.264 elementary stream (no B-frames) the server loops, made once per size and test run.</summary>
    public static async Task<string> ClipAsync(int width = ClipWidth, int height = ClipHeight)
    {
        await ClipLock.WaitAsync();
        try
        {
            if (Clips.TryGetValue((width, height), out var made) && File.Exists(made)) return made;
            var path = Path.Combine(Repo.TempDir("rtsp-clip"), $"clip-{width}x{height}.h264");
            await using var ff = ChildProcess.Start("ffmpeg",
                ["-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i", $"testsrc2=size={width}x{height}:rate=25",
                 "-t", "10", "-c:v", "libx264", "-bf", "0", "-g", "50", "-profile:v", "main", "-f", "h264", path]);
            var rc = await ff.WaitExitAsync(TimeSpan.FromSeconds(120));
            if (rc != 0) throw new InvalidOperationException($"ffmpeg could not make the RTSP test clip:\n{ff.Tail()}");
            return Clips[(width, height)] = path;
        }
        finally { ClipLock.Release(); }
    }

    public async ValueTask DisposeAsync()
    {
        if (_stalled) Resume();
        await StopAsync();
    }
}
