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
    private readonly List<(Regex Pattern, TaskCompletionSource<string> Tcs)> _waiters = new();
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
        _lines.Enqueue(line);
        lock (_gate)
        {
            for (var i = _waiters.Count - 1; i >= 0; i--)
                if (_waiters[i].Pattern.IsMatch(line)) { _waiters[i].Tcs.TrySetResult(line); _waiters.RemoveAt(i); }
        }
    }

    /// <summary>Completes with the first output line (already seen or coming) that matches.</summary>
    public async Task<string> WaitForLineAsync(string pattern, TimeSpan timeout)
    {
        var re = new Regex(pattern);
        var tcs = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            var seen = _lines.FirstOrDefault(re.IsMatch);
            if (seen != null) return seen;
            _waiters.Add((re, tcs));
        }
        var done = await Task.WhenAny(tcs.Task, Task.Delay(timeout), Exited);
        if (done == tcs.Task) return await tcs.Task;
        if (tcs.Task.IsCompleted) return await tcs.Task;
        throw new TimeoutException($"no line matching /{pattern}/ within {timeout} (exited: {_p.HasExited}); output:\n{Tail()}");
    }

    public string Tail(int n = 40) => string.Join("\n", _lines.TakeLast(n));

    public void Signal(int signal) { if (!_p.HasExited) kill(_p.Id, signal); }

    public async Task<int> WaitExitAsync(TimeSpan timeout)
    {
        var done = await Task.WhenAny(Exited, Task.Delay(timeout));
        if (done != Exited) throw new TimeoutException($"process {_p.Id} did not exit within {timeout}; output:\n{Tail()}");
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
