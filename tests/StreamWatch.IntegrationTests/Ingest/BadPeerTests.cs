using System.Net;
using System.Net.Sockets;
using StreamWatch.Core.Config;
using StreamWatch.Core.Pipeline;
using StreamWatch.IntegrationTests.Support;

namespace StreamWatch.IntegrationTests.Ingest;

/// <summary>
/// Cameras that misbehave at the protocol level, played by a TCP peer on 127.0.0.1: one that
/// answers with garbage bytes, one that accepts the connection and never says anything. Each is
/// reported offline with a reason, counted, and retried; the source never throws.
/// </summary>
public sealed class BadPeerTests : IAsyncDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(90);
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly List<TcpClient> _clients = new();
    private int _connections;

    private int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    private void Serve(Func<NetworkStream, CancellationToken, Task> behave)
    {
        _listener.Start();
        _ = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                TcpClient c;
                try { c = await _listener.AcceptTcpClientAsync(_stop.Token); }
                catch (Exception) { return; }
                Interlocked.Increment(ref _connections);
                lock (_clients) _clients.Add(c);
                _ = Task.Run(async () => { try { await behave(c.GetStream(), _stop.Token); } catch (Exception) { } });
            }
        });
    }

    private CameraOptions Camera(string name) =>
        new() { Name = name, Url = $"rtsp://u:hunter2@127.0.0.1:{Port}/cam", AnalysisFps = 5, StallTimeoutSeconds = 3 };

    [Fact]
    public async Task A_peer_that_answers_with_garbage_is_reported_counted_and_retried()
    {
        Serve(async (s, ct) =>
        {
            var junk = new byte[4096];
            new Random(7).NextBytes(junk);
            for (var i = 0; i < 64 && !ct.IsCancellationRequested; i++) await s.WriteAsync(junk, ct);
        });
        using var counters = new CounterProbe("garbage");
        await using var run = new CameraRun(Camera("garbage"));
        await run.WaitUntilAsync(r => r.States.Count(s => !s.Online) >= 1 && _connections >= 2, Wait, "offline, then a retry");
        Assert.Empty(run.Frames);
        Assert.DoesNotContain(run.States, s => s.Online);
        Assert.Contains(run.States[0].Reason.Text(), new[] { "ffmpeg_error", "bad_stream", "disconnected", "stalled" });
        Assert.True(counters[$"stream_errors:{run.States[0].Reason.Text()}"] >= 1);
        Assert.False(run.Task.IsCompleted);
        Assert.DoesNotContain(run.Logger.Lines, l => l.Contains("hunter2"));
        await run.StopAsync();
    }

    [Fact]
    public async Task A_peer_that_never_answers_is_cut_off_by_the_watchdog_and_retried()
    {
        Serve((_, ct) => Task.Delay(Timeout.Infinite, ct));
        using var counters = new CounterProbe("silent");
        await using var run = new CameraRun(Camera("silent"));
        await run.WaitUntilAsync(r => r.States.Count(s => !s.Online) >= 1 && _connections >= 2, Wait, "offline, then a retry");
        Assert.Empty(run.Frames);
        Assert.Equal("stalled", run.States[0].Reason.Text());
        Assert.True(counters["stream_errors:stalled"] >= 1);
        Assert.False(run.Task.IsCompleted);
        await run.StopAsync();
    }

    public ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        lock (_clients) foreach (var c in _clients) c.Dispose();
        _stop.Dispose();
        return ValueTask.CompletedTask;
    }
}
