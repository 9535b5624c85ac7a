using Microsoft.Extensions.Logging;
using StreamWatch.Core.Config;
using StreamWatch.Ingest;
using StreamWatch.IntegrationTests.Support;

namespace StreamWatch.IntegrationTests.Ingest;

/// <summary>A daemon stand-in: runs one camera and prints its ffmpeg's pid once ffmpeg runs.</summary>
public static class OrphanChild
{
    public const string Mode = "ingest-camera";

    public static int Run(string[] args)
    {
        var camera = new CameraOptions { Name = "orphan", Url = args[0], StallTimeoutSeconds = 600 };
        var source = new CameraSource(camera, new ConsoleLogger(), TimeProvider.System);
        var run = source.RunAsync(_ => false, _ => { }, CancellationToken.None);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (source.ProcessId == null && DateTime.UtcNow < deadline) Thread.Sleep(20); // child-side poll, not a test wait
        Console.WriteLine($"FFMPEG_PID {source.ProcessId}");
        run.GetAwaiter().GetResult();
        return 0;
    }

    private sealed class ConsoleLogger : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;
        public void Log<TState>(LogLevel l, EventId id, TState s, Exception? e, Func<TState, Exception?, string> f)
        { if (IsEnabled(l)) Console.WriteLine($"{l}: {f(s, e)}"); }
    }
}

public class OrphanTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    /// <summary>
    /// The camera's input is a FIFO nobody writes to: ffmpeg blocks opening it and never writes to
    /// its stdout, so it cannot die of a broken pipe when the daemon goes — only the parent-death
    /// signal can end it (as for an ffmpeg stuck on a stalled camera).
    /// </summary>
    [Theory]
    [InlineData(ChildProcess.SIGKILL)] // the daemon crashes hard
    [InlineData(ChildProcess.SIGTERM)] // the daemon is told to stop and nobody handles it
    public async Task FfmpegDiesWithTheDaemonProcess(int signal)
    {
        var fifo = Path.Combine(Repo.TempDir("orphan"), "stuck.ts");
        await using (var mk = ChildProcess.Start("mkfifo", [fifo])) Assert.Equal(0, await mk.WaitExitAsync(Wait));
        await using var daemon = ChildProcess.Start("dotnet",
            ["exec", typeof(OrphanTests).Assembly.Location, OrphanChild.Mode, fifo]);
        var line = await daemon.WaitForLineAsync(@"^FFMPEG_PID \d+", Wait);
        var pid = int.Parse(line.Split(' ')[1]);
        try
        {
            Assert.True(Proc.Alive(pid, "ffmpeg"), "ffmpeg runs while the daemon does");
            daemon.Signal(signal);
            await daemon.WaitExitAsync(Wait);
            await Proc.WaitGoneAsync(pid, "ffmpeg", TimeSpan.FromSeconds(30));
        }
        finally
        {
            if (Proc.Alive(pid, "ffmpeg")) System.Diagnostics.Process.GetProcessById(pid).Kill(); // never leave one behind
        }
    }

    [Fact]
    public async Task AGracefulStopKillsFfmpeg()
    {
        var clip = await Clips.Mp4Async(2);
        await using var run = new CameraRun(new CameraOptions { Name = "graceful", Url = clip, Loop = true, Realtime = true });
        await run.WaitUntilAsync(r => r.Frames.Count >= 2 && r.Source.ProcessId != null, Wait, "frames");
        var pid = run.Source.ProcessId!.Value;
        await run.StopAsync();
        Assert.False(Proc.Alive(pid, "ffmpeg"));
        Assert.Null(run.Source.ProcessId);
    }

    [Fact]
    public async Task DisposingTheSourceKillsFfmpegAndEndsTheRun()
    {
        var clip = await Clips.Mp4Async(2);
        var run = new CameraRun(new CameraOptions { Name = "dispose", Url = clip, Loop = true, Realtime = true });
        await run.WaitUntilAsync(r => r.Frames.Count >= 2 && r.Source.ProcessId != null, Wait, "frames");
        var pid = run.Source.ProcessId!.Value;
        await run.Source.DisposeAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run.Task.WaitAsync(Wait));
        await Proc.WaitGoneAsync(pid, "ffmpeg", Wait);
        await run.DisposeAsync();
    }
}
