using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.RegularExpressions;

namespace StreamWatch.IntegrationTests.Support;

/// <summary>
/// A program a test starts (ffmpeg, mosquitto, prometheus, the daemon …): output lines are
/// collected and can be awaited; disposing kills it and everything it started.
/// </summary>
public sealed class ChildProcess : IAsyncDisposable
{
    private readonly Process _p;
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly List<Waiter> _waiters = new();

    private sealed class Waiter(Regex pattern, int needed)
    {
        public readonly Regex Pattern = pattern;
        public int Needed = needed;
        public readonly TaskCompletionSource<string> Tcs = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
    private readonly object _gate = new();

    private ChildProcess(Process p) { _p = p; }

    public int Pid => _p.Id;
    public bool HasExited => _p.HasExited;
    public IReadOnlyCollection<string> Lines => _lines;
    public string Output => string.Join("\n", _lines);
    public Task<int> Exited { get; private set; } = Task.FromResult(0);

    public static ChildProcess Start(string file, IEnumerable<string> args, string? workDir = null,
        IDictionary<string, string?>? env = null, bool stdin = false)
    {
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = stdin,
            UseShellExecute = false,
            WorkingDirectory = workDir ?? Environment.CurrentDirectory,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        if (env != null) foreach (var (k, v) in env) psi.Environment[k] = v;
        var p = new Process { StartInfo = psi, EnableRaisingEvents = true };
        var cp = new ChildProcess(p);
        var exited = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        p.Exited += (_, _) => exited.TrySetResult(p.ExitCode);
        p.OutputDataReceived += (_, e) => { if (e.Data != null) cp.OnLine(e.Data); };
        p.ErrorDataReceived += (_, e) => { if (e.Data != null) cp.OnLine(e.Data); };
        p.Start();
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        cp.Exited = exited.Task;
        return cp;
    }

    public StreamWriter StandardInput => _p.StandardInput;

    private void OnLine(string line)
    {
        lock (_gate)
        {
            _lines.Enqueue(line);
            for (var i = _waiters.Count - 1; i >= 0; i--)
                if (_waiters[i].Pattern.IsMatch(line) && --_waiters[i].Needed == 0) { _waiters[i].Tcs.TrySetResult(line); _waiters.RemoveAt(i); }
        }
    }

    /// <summary>How many output lines so far match.</summary>
    public int CountLines(string pattern)
    {
        var re = new Regex(pattern);
        lock (_gate) return _lines.Count(l => re.IsMatch(l));
    }

    /// <summary>Completes with the <paramref name="occurrence"/>-th output line (already seen or coming) that matches.</summary>
    public async Task<string> WaitForLineAsync(string pattern, TimeSpan timeout, int occurrence = 1)
    {
        var re = new Regex(pattern);
        Waiter waiter;
        lock (_gate)
        {
            var seen = _lines.Where(l => re.IsMatch(l)).Take(occurrence).ToList();
            if (seen.Count == occurrence) return seen[^1];
            waiter = new Waiter(re, occurrence - seen.Count);
            _waiters.Add(waiter);
        }
        var tcs = waiter.Tcs;
        var done = await Task.WhenAny(tcs.Task, Task.Delay(timeout), Exited);
        if (done == tcs.Task) return await tcs.Task;
        if (tcs.Task.IsCompleted) return await tcs.Task;
        throw new TimeoutException($"no line #{occurrence} matching /{pattern}/ within {timeout} (exited: {_p.HasExited}); output:\n{Tail()}");
    }

    public string Tail(int n = 40) => string.Join("\n", _lines.TakeLast(n));

    public void Signal(int signal) { if (!_p.HasExited) kill(_p.Id, signal); }

    /// <summary>SIGTERM (a graceful stop, as systemd sends it), then <see cref="WaitExitAsync"/>: the exit code.</summary>
    public Task<int> TerminateAsync(TimeSpan timeout)
    {
        Signal(SIGTERM);
        return WaitExitAsync(timeout);
    }

    public async Task<int> WaitExitAsync(TimeSpan timeout)
    {
        var done = await Task.WhenAny(Exited, Task.Delay(timeout));
        if (done != Exited) throw new TimeoutException($"process {_p.Id} did not exit within {timeout}; output:\n{Tail()}");
        using var drained = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try { await _p.WaitForExitAsync(drained.Token); } // also waits for the last output lines
        catch (OperationCanceledException) { }
        return await Exited;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_p.HasExited) _p.Kill(entireProcessTree: true);
            await Task.WhenAny(Exited, Task.Delay(5000));
        }
        catch (InvalidOperationException) { }
        _p.Dispose();
    }

    [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);

    public const int SIGKILL = 9, SIGTERM = 15, SIGSTOP = 19, SIGCONT = 18;
}
