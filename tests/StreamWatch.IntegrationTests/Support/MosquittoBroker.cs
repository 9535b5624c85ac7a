using System.Text;

namespace StreamWatch.IntegrationTests.Support;

/// <summary>
/// A real mosquitto broker on 127.0.0.1 and a free port, from a generated conf. Can be stopped
/// (SIGTERM, so a persistent broker saves its state) and started again on the same port.
/// </summary>
public sealed class MosquittoBroker : IAsyncDisposable
{
    private readonly string _conf;
    private ChildProcess? _process;

    private MosquittoBroker(string dir, int port, string conf) { Dir = dir; Port = port; _conf = conf; }

    public string Dir { get; }
    public int Port { get; }
    public bool Running => _process is { HasExited: false };
    public string Output => _process?.Output ?? "";
    public IReadOnlyCollection<string> Lines => _process?.Lines ?? [];

    public static async Task<MosquittoBroker> StartAsync(bool persistence = false, TlsFiles? tls = null,
        (string User, string Password)? auth = null, bool requireClientCertificate = false, bool tcpNoDelay = false)
    {
        var dir = Repo.TempDir("mosquitto");
        var port = FreePort.Get();
        var conf = new StringBuilder();
        conf.AppendLine("user root").AppendLine("log_dest stderr").AppendLine("log_type all").AppendLine("log_timestamp false");
        conf.AppendLine($"listener {port} 127.0.0.1");
        if (tcpNoDelay) conf.AppendLine("set_tcp_nodelay true"); // what docs/mqtt.md tells users to set
        if (auth is { } a)
        {
            var pw = Path.Combine(dir, "passwd");
            await using (var p = ChildProcess.Start("mosquitto_passwd", ["-b", "-c", pw, a.User, a.Password]))
                if (await p.WaitExitAsync(TimeSpan.FromSeconds(30)) != 0) throw new InvalidOperationException("mosquitto_passwd failed: " + p.Output);
            conf.AppendLine("allow_anonymous false").AppendLine($"password_file {pw}");
        }
        else conf.AppendLine("allow_anonymous true");
        if (tls != null) conf.AppendLine($"cafile {tls.CaFile}").AppendLine($"certfile {tls.CertFile}").AppendLine($"keyfile {tls.KeyFile}")
            .AppendLine($"require_certificate {(requireClientCertificate ? "true" : "false")}");
        if (persistence) conf.AppendLine("persistence true").AppendLine($"persistence_location {dir}/");
        var path = Path.Combine(dir, "mosquitto.conf");
        await File.WriteAllTextAsync(path, conf.ToString());
        var broker = new MosquittoBroker(dir, port, path);
        await broker.StartAgainAsync();
        return broker;
    }

    /// <summary>Starts mosquitto (again) with the same conf and port; returns once it accepts connections.</summary>
    public async Task StartAgainAsync()
    {
        if (Running) throw new InvalidOperationException("broker already running");
        if (_process != null) await _process.DisposeAsync();
        _process = ChildProcess.Start("mosquitto", ["-c", _conf]);
        await _process.WaitForLineAsync("running", TimeSpan.FromSeconds(30));
        await FreePort.WaitOpenAsync(Port, TimeSpan.FromSeconds(30));
    }

    /// <summary>Stops the broker gracefully (a persistent broker writes its database on the way out).</summary>
    public async Task StopAsync()
    {
        if (!Running) return;
        await _process!.TerminateAsync(TimeSpan.FromSeconds(30));
    }

    /// <summary>Freezes the broker (SIGSTOP): connections stay open but nothing is read or acknowledged.</summary>
    public void Freeze() => _process!.Signal(ChildProcess.SIGSTOP);
    public void Thaw() => _process!.Signal(ChildProcess.SIGCONT);

    /// <summary>mosquitto_sub printing "retain qos topic payload" per message (QoS 1).</summary>
    /// <param name="persistent">Clean session off: the broker keeps the subscription and queued messages over outages.</param>
    public ChildProcess Subscribe(string topic, string clientId, bool persistent = false, string format = "%r %q %t %p", IEnumerable<string>? extra = null)
    {
        var args = new List<string> { "-h", "127.0.0.1", "-p", Port.ToString(), "-q", "1", "-t", topic, "-F", format, "-i", clientId };
        if (persistent) args.Add("-c");
        if (extra != null) args.AddRange(extra);
        return ChildProcess.Start("mosquitto_sub", args);
    }

    /// <summary>Waits until the broker logged that a client with this id subscribed (so nothing after this is missed).</summary>
    public Task WaitSubscribedAsync(string clientId) => _process!.WaitForLineAsync($"^{System.Text.RegularExpressions.Regex.Escape(clientId)} 1 ", TimeSpan.FromSeconds(30));

    /// <summary>Waits until the broker's log has at least <paramref name="occurrence"/> lines matching the pattern.</summary>
    public async Task WaitForLineAsync(string pattern, int occurrence = 1)
    {
        var re = new System.Text.RegularExpressions.Regex(pattern);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (_process!.Lines.Count(re.IsMatch) < occurrence)
        {
            if (cts.IsCancellationRequested) throw new TimeoutException($"broker log has fewer than {occurrence} lines /{pattern}/:\n{_process.Tail()}");
            await Task.Delay(50); // poll interval inside a bounded wait, not a synchronisation sleep
        }
    }

    /// <summary>Publishes one message with mosquitto_pub (QoS 1) and waits for it to finish.</summary>
    public async Task PublishAsync(string topic, string message, bool retain = false)
    {
        await using var p = ChildProcess.Start("mosquitto_pub", ["-h", "127.0.0.1", "-p", Port.ToString(), "-q", "1", "-t", topic, "-m", message, .. retain ? new[] { "-r" } : []]);
        if (await p.WaitExitAsync(TimeSpan.FromSeconds(30)) != 0) throw new InvalidOperationException("mosquitto_pub failed: " + p.Output);
    }

    public async ValueTask DisposeAsync()
    {
        if (_process != null) await _process.DisposeAsync();
        try { Directory.Delete(Dir, true); } catch (IOException) { }
    }
}
