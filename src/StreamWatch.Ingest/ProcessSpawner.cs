using System.Collections.Concurrent;
using System.Diagnostics;

namespace StreamWatch.Ingest;

/// <summary>
/// Starts child processes from one dedicated, long-lived thread, each wrapped in
/// <c>setpriv --pdeathsig KILL</c>. Linux delivers the parent-death signal when the thread that
/// forked the child exits, so forking from a thread-pool thread (which may retire) could kill a
/// healthy ffmpeg; forking from this thread means the child dies exactly when this thread does:
/// on <see cref="Dispose"/>, or when the daemon's process dies in any way (crash, SIGKILL).
/// Once <see cref="Close"/> (or a start's cancellation token) has fired, nothing more is started:
/// the check and the fork happen under one lock that <see cref="Close"/> also takes.
/// </summary>
public sealed class ProcessSpawner : IDisposable
{
    public const string SetprivPath = "/usr/bin/setpriv";
    private readonly BlockingCollection<(ProcessStartInfo Psi, TaskCompletionSource<Process> Tcs, CancellationToken Ct)> _queue = new();
    private readonly Thread _thread;
    private readonly Lock _gate = new();
    private bool _closed;

    public ProcessSpawner(string name)
    {
        _thread = new Thread(Loop) { IsBackground = true, Name = $"spawn-{name}" };
        _thread.Start();
    }

    /// <summary>Whether children get the parent-death signal (setpriv is part of Debian's util-linux).</summary>
    public static bool HasPdeathsig { get; } = File.Exists(SetprivPath);

    /// <summary>Start info for <paramref name="program"/> with stdout and stderr redirected, wrapped in setpriv.</summary>
    public static ProcessStartInfo StartInfo(string program, IEnumerable<string> args)
    {
        var psi = new ProcessStartInfo(HasPdeathsig ? SetprivPath : program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = false,
            UseShellExecute = false,
        };
        if (HasPdeathsig) foreach (var a in new[] { "--pdeathsig", "KILL", "--", program }) psi.ArgumentList.Add(a);
        foreach (var a in args) psi.ArgumentList.Add(a);
        return psi;
    }

    /// <summary>Starts a process on the spawner thread. Throws <see cref="OperationCanceledException"/>
    /// when <paramref name="ct"/> fired first, <see cref="ObjectDisposedException"/> after <see cref="Close"/>.</summary>
    public Task<Process> StartAsync(ProcessStartInfo psi, CancellationToken ct = default)
    {
        var tcs = new TaskCompletionSource<Process>(TaskCreationOptions.RunContinuationsAsynchronously);
        try { _queue.Add((psi, tcs, ct)); }
        catch (InvalidOperationException) { tcs.SetException(new ObjectDisposedException(nameof(ProcessSpawner))); }
        return tcs.Task;
    }

    /// <summary>Refuses every later start; returns once a start in progress has finished (and was not refused).</summary>
    public void Close()
    {
        lock (_gate) _closed = true;
    }

    private void Loop()
    {
        foreach (var (psi, tcs, ct) in _queue.GetConsumingEnumerable())
        {
            try
            {
                lock (_gate)
                {
                    if (_closed) throw new ObjectDisposedException(nameof(ProcessSpawner));
                    ct.ThrowIfCancellationRequested();
                    var p = new Process { StartInfo = psi, EnableRaisingEvents = true };
                    p.Start();
                    tcs.SetResult(p);
                }
            }
            catch (OperationCanceledException) { tcs.SetCanceled(ct); }
            catch (Exception e) { tcs.SetException(e); }
        }
    }

    /// <summary>Ends the thread; children still running receive SIGKILL from the kernel.</summary>
    public void Dispose()
    {
        Close();
        _queue.CompleteAdding();
        if (Thread.CurrentThread != _thread) _thread.Join(TimeSpan.FromSeconds(5));
    }
}
