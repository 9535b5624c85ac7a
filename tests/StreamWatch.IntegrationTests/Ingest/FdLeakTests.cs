using Microsoft.Extensions.Logging;
using StreamWatch.Core.Config;
using StreamWatch.Ingest;
using StreamWatch.IntegrationTests.Support;

namespace StreamWatch.IntegrationTests.Ingest;

/// <summary>
/// A process of its own (so other tests' files do not count): restarts a failing camera N times
/// with no restart delay, counting its open fds after each run ended; prints "FDS first max last gen0".
/// </summary>
public static class FdLeakChild
{
    public const string Mode = "fd-restarts";

    public static int Run(string[] args)
    {
        var restarts = int.Parse(args[0]);
        var counts = new List<int>();
        using var done = new CancellationTokenSource();
        var logger = new RestartLogger(() =>
        {
            lock (counts)
            {
                counts.Add(Directory.EnumerateFileSystemEntries("/proc/self/fd").Count());
                if (counts.Count == restarts) done.Cancel();
            }
        });
        var camera = new CameraOptions { Name = "fd", Url = "/nonexistent/clip.mp4", Loop = false, StallTimeoutSeconds = 5 };
        var source = new CameraSource(camera, logger, new NoDelays());
        try { source.RunAsync(_ => false, _ => { }, done.Token).GetAwaiter().GetResult(); }
        catch (OperationCanceledException) { }
        source.DisposeAsync().AsTask().GetAwaiter().GetResult();
        lock (counts) Console.WriteLine($"FDS {counts[0]} {counts.Max()} {counts[^1]} {GC.CollectionCount(0)}");
        return 0;
    }

    /// <summary>Restart delays elapse at once; periodic timers (the stall watchdog) keep their period.</summary>
    private sealed class NoDelays : TimeProvider
    {
        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
            base.CreateTimer(callback, state, period == Timeout.InfiniteTimeSpan ? TimeSpan.Zero : dueTime, period);
    }

    private sealed class RestartLogger(Action onRestart) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel l, EventId id, TState s, Exception? e, Func<TState, Exception?, string> f)
        { if (f(s, e).Contains("restarting in")) onRestart(); }
    }
}

public class FdLeakTests
{
    [Fact]
    public async Task TwoHundredRestartsOfAFailingCameraLeaveTheFdCountFlat()
    {
        await using var child = ChildProcess.Start("dotnet", ["exec", typeof(FdLeakTests).Assembly.Location, FdLeakChild.Mode, "200"]);
        var line = await child.WaitForLineAsync(@"^FDS \d+ \d+ \d+ \d+", TimeSpan.FromSeconds(300));
        Assert.Equal(0, await child.WaitExitAsync(TimeSpan.FromSeconds(30)));
        var f = line.Split(' ').Skip(1).Select(int.Parse).ToArray();
        // 2 pipes leaked per run would add 400; a few fds may come and go with the runtime's own threads
        Assert.True(f[1] - f[0] <= 8 && f[2] - f[0] <= 8, $"open fds first {f[0]}, max {f[1]}, last {f[2]} over 200 restarts ({f[3]} gen0 collections)");
    }
}
