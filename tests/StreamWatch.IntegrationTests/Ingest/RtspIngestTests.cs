using StreamWatch.Core.Config;
using StreamWatch.Core.Pipeline;
using StreamWatch.Ingest;
using StreamWatch.IntegrationTests.Support;

namespace StreamWatch.IntegrationTests.Ingest;

public class RtspIngestTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);
    // restarts happen at most Backoff.Max apart; allow for ffmpeg's connect and the loaded machine
    private static readonly TimeSpan BackoffBound = Backoff.Max + TimeSpan.FromSeconds(30);

    private static CameraOptions Camera(string url, double stall = 10, string name = "rtsp1") =>
        new() { Name = name, Url = url, AnalysisFps = 5, StallTimeoutSeconds = stall };

    private static int Onlines(CameraRun r) => r.States.Count(s => s.Online);
    private static int Offlines(CameraRun r) => r.States.Count(s => !s.Online);

    [Fact]
    public async Task FramesArriveAtTheInferenceSizeWithIncreasingOffsets()
    {
        await using var server = await RtspServer.StartAsync();
        await using var run = new CameraRun(Camera(server.Url()));
        await run.WaitUntilAsync(r => r.Frames.Count >= 10, Wait, "10 frames");

        var frames = run.Frames;
        Assert.All(frames, f => Assert.Equal((640, 360), (f.Width, f.Height))); // the 640×360 source, not upscaled to 672
        Assert.All(frames.Zip(frames.Skip(1)), p =>
        {
            Assert.Equal(p.First.Sequence + 1, p.Second.Sequence);
            Assert.True(p.Second.Offset > p.First.Offset);
            Assert.True(p.Second.CapturedUtc >= p.First.CapturedUtc);
        });
        Assert.Equal(TimeSpan.FromSeconds(1.8), frames[9].Offset);
        Assert.Equal("online:frames", $"{(run.States[0].Online ? "online" : "offline")}:{run.States[0].Reason.Text()}");
        await run.StopAsync();
        Assert.Equal("stopped", run.States[^1].Reason.Text());
    }

    [Fact]
    public async Task AKilledServerTakesTheCameraOfflineAndARestartBringsFramesBack()
    {
        await using var server = await RtspServer.StartAsync();
        await using var run = new CameraRun(Camera(server.Url()));
        await run.WaitUntilAsync(r => r.Frames.Count >= 3, Wait, "first frames");

        await server.StopAsync();
        await run.WaitUntilAsync(r => Offlines(r) == 1, Wait, "offline after the server died");
        Assert.Contains(run.States[^1].Reason.Text(), new[] { "disconnected", "ffmpeg_error" });
        // the camera keeps retrying (connection refused) and does not crash
        await run.WaitUntilAsync(r => r.Logger.Lines.Count(l => l.Contains("restarting in")) >= 3, Wait, "retries while the server is down");
        Assert.False(run.Task.IsCompleted);
        var before = run.Frames.Count;

        await server.StartAgainAsync();
        await run.WaitUntilAsync(r => Onlines(r) == 2 && r.Frames.Count >= before + 3, BackoffBound, "frames again after the server returned");
        var again = run.Frames.Skip(before).ToList();
        Assert.Equal(0, again[0].Sequence); // a new ffmpeg run counts from 0 again
        Assert.Equal(TimeSpan.Zero, again[0].Offset);
        await run.StopAsync();
    }

    [Fact]
    public async Task AStalledServerIsDetectedByTheWatchdogWhichRestartsFfmpeg()
    {
        await using var server = await RtspServer.StartAsync();
        using var counters = new CounterProbe("rtsp-stall");
        await using var run = new CameraRun(Camera(server.Url(), stall: 3, name: "rtsp-stall"));
        await run.WaitUntilAsync(r => r.Frames.Count >= 3 && r.Source.ProcessId != null, Wait, "first frames");
        var pid = run.Source.ProcessId!.Value;

        server.Stall(); // sockets stay open, nothing arrives: ffmpeg alone would hang forever
        await run.WaitUntilAsync(r => Offlines(r) == 1, Wait, "offline after the stall");
        Assert.Equal("stalled", run.States[^1].Reason.Text());
        Assert.True(counters["stream_errors:stalled"] >= 1);
        await Proc.WaitGoneAsync(pid, "ffmpeg", Wait);
        Assert.False(run.Task.IsCompleted);

        server.Resume();
        var before = run.Frames.Count;
        await run.WaitUntilAsync(r => Onlines(r) == 2 && r.Frames.Count > before, BackoffBound, "frames after the server resumed");
        await run.StopAsync();
    }

    [Fact]
    public async Task CredentialsInTheUrlNeverReachTheLog()
    {
        const string secret = "s3cr3t-Pa55";
        await using var server = await RtspServer.StartAsync();
        await using var ok = new CameraRun(Camera(server.Url($"admin:{secret}")));
        var closed = FreePort.Get();
        await using var refused = new CameraRun(Camera($"rtsp://admin:{secret}@127.0.0.1:{closed}/cam"));
        await using var query = new CameraRun(Camera($"rtsp://127.0.0.1:{closed}/cam?user=ops&Password={secret}&token={secret}"));

        await ok.WaitUntilAsync(r => r.Frames.Count >= 2 && r.Source.ProcessId != null, Wait, "frames with credentials in the URL");
        // other local users read every command line: ffmpeg's carries no URL credentials
        var cmdline = await File.ReadAllTextAsync($"/proc/{ok.Source.ProcessId}/cmdline");
        Assert.Contains("ffmpeg", cmdline);
        Assert.DoesNotContain(secret, cmdline);
        await refused.WaitUntilAsync(r => r.Logger.Lines.Count(l => l.Contains("restarting in")) >= 2, Wait, "failed connects");
        await ok.StopAsync();
        await query.WaitUntilAsync(r => r.Logger.Lines.Count(l => l.Contains("restarting in")) >= 2, Wait, "failed connects");
        await refused.StopAsync();
        await query.StopAsync();

        var lines = ok.Logger.Lines.Concat(refused.Logger.Lines).Concat(query.Logger.Lines).ToList();
        Assert.DoesNotContain(lines, l => l.Contains(secret) || l.Contains("admin:"));
        // the URL is logged (command line, ffmpeg's own error), only without its credentials
        Assert.Contains(ok.Logger.Lines, l => l.Contains($"rtsp://***@127.0.0.1:{server.Port}/cam"));
        Assert.Contains(refused.Logger.Lines, l => l.Contains("ffmpeg:") && l.Contains($"rtsp://***@127.0.0.1:{closed}/cam"));
        Assert.Contains(query.Logger.Lines, l => l.Contains($"/cam?user=ops&Password=***&token=***"));
    }
}
