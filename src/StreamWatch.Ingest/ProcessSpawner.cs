using System.Collections.Concurrent;
using System.Diagnostics;

namespace StreamWatch.Ingest;

/// <summary>
/// Starts child processes from one dedicated, long-lived thread, each wrapped in
/// <c>setpriv --pdeathsig KILL</c>. Linux delivers the parent-death signal when the thread that
/// forked the child exits, so forking from a thread-pool thread (which may retire) could kill a
/// healthy ffmpeg; forking from this thread means the child dies exactly when this thread does:
/// on <see cref="Dispose"/>, or when the daemon's process dies in any way (crash, SIGKILL).
/// </summary>
public sealed class ProcessSpawner : IDisposable
{
    public const string SetprivPath = "/usr/bin/setpriv";
    private readonly BlockingCollection<(ProcessStartInfo Psi, TaskCompletionSource<Process> Tcs)> _queue = new();
    private readonly Thread _thread;

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

    public Task<Process> StartAsync(ProcessStartInfo psi)
    {
        var tcs = new TaskCompletionSource<Process>(TaskCreationOptions.RunContinuationsAsynchronously);
        try { _queue.Add((psi, tcs)); }
        catch (InvalidOperationException) { tcs.SetException(new ObjectDisposedException(nameof(ProcessSpawner))); }
        return tcs.Task;
    }

    private void Loop()
    {
        foreach (var (psi, tcs) in _queue.GetConsumingEnumerable())
        {
            try
            {
                var p = new Process { StartInfo = psi, EnableRaisingEvents = true };
                p.Start();
                tcs.SetResult(p);
            }
            catch (Exception e) { tcs.SetException(e); }
        }
    }

    /// <summary>Ends the thread; children still running receive SIGKILL from the kernel.</summary>
    public void Dispose()
    {
        _queue.CompleteAdding();
        if (Thread.CurrentThread != _thread) _thread.Join(TimeSpan.FromSeconds(5));
    }
}
