using System.Diagnostics;
using StreamWatch.Core.Config;
using StreamWatch.Ingest;

namespace StreamWatch.IntegrationTests.Ingest;

public class ShutdownTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    private static int Started(CameraRun run) => run.Logger.Lines.Count(l => l.Contains("ffmpeg started"));

    [Fact]
    public async Task AStopDuringTheRestartDelayStartsNoFfmpeg()
    {
        var camera = new CameraOptions { Name = "stop-in-backoff", Url = "/nonexistent/clip.mp4", Loop = false, StallTimeoutSeconds = 5 };
        await using var run = new CameraRun(camera);
        // the run has ended and the camera waits out its restart delay (0.45 s or more)
        await run.WaitUntilAsync(r => r.Logger.Lines.Any(l => l.Contains("restarting in")), Wait, "a restart delay");
        var started = Started(run);
        await run.StopAsync();
        Assert.Equal(started, Started(run));
    }

    [Fact]
    public async Task AClosedSpawnerOrACancelledStartStartsNothing()
    {
        using var spawner = new ProcessSpawner("closed");
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => spawner.StartAsync(new ProcessStartInfo("true"), cancelled.Token));
        spawner.Close();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => spawner.StartAsync(new ProcessStartInfo("true")));
    }
}
