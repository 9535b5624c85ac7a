namespace StreamWatch.IntegrationTests.Support;

/// <summary>
/// A real PostgreSQL 15 (Debian's, /usr/lib/postgresql/15/bin) in its own temp dir: initdb, then
/// postgres listening on 127.0.0.1 only at a free port, its unix socket in the temp dir. Postgres
/// refuses to run as root, so under uid 0 both run as the <c>postgres</c> system user
/// (<c>runuser -u postgres --</c>) in a dir it owns. The superuser <c>postgres</c> has a random
/// password (scram over TCP), so connection strings carry one, as in production.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    public const string Bin = "/usr/lib/postgresql/15/bin";
    private static readonly bool Root = Environment.UserName == "root";
    private readonly string _password = Guid.NewGuid().ToString("N");
    private ChildProcess? _process;
    private string[] _args = [];

    private PostgresServer(string dir, int port) { Dir = dir; Port = port; }

    public string Dir { get; }
    public int Port { get; }
    private string DataDir => Path.Combine(Dir, "data");
    public string Output => _process?.Output ?? "";

    /// <summary>Npgsql connection string of the <c>postgres</c> database (TCP, with the password).</summary>
    public string ConnectionString => ConnectionStringFor("postgres");

    public string ConnectionStringFor(string database) =>
        $"Host=127.0.0.1;Port={Port};Username=postgres;Password={_password};Database={database}";

    /// <param name="settings">extra <c>-c name=value</c> server settings</param>
    public static async Task<PostgresServer> StartAsync(params string[] settings)
    {
        var server = new PostgresServer(Repo.TempDir("postgres"), FreePort.Get());
        try { await server.InitAndStartAsync(settings); }
        catch { await server.DisposeAsync(); throw; }
        return server;
    }

    private async Task InitAndStartAsync(string[] settings)
    {
        var pwfile = Path.Combine(Dir, "pw");
        await File.WriteAllTextAsync(pwfile, _password + "\n");
        if (Root) await RunAsync("/bin/chown", ["-R", "postgres:postgres", Dir], asPostgres: false);
        await RunAsync(Path.Combine(Bin, "initdb"), ["-D", DataDir, "-U", "postgres", "--pwfile", pwfile,
            "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C.UTF-8"]);
        File.Delete(pwfile);
        _args = ["-D", DataDir, "-p", Port.ToString(), "-k", Dir, "-c", "listen_addresses=127.0.0.1"];
        foreach (var s in settings) _args = [.. _args, "-c", s];
        await StartAgainAsync();
    }

    /// <summary>Starts the stopped server again on the same data dir and port.</summary>
    public async Task StartAgainAsync()
    {
        if (_process != null) await _process.DisposeAsync();
        _process = Start(Path.Combine(Bin, "postgres"), _args);
        await _process.WaitForLineAsync("database system is ready to accept connections", TimeSpan.FromSeconds(60));
    }

    /// <summary>Fast shutdown (SIGINT to the postmaster, whose pid heads postmaster.pid): open client
    /// connections do not hold it up. The data dir stays for <see cref="StartAgainAsync"/>.</summary>
    public async Task StopAsync()
    {
        if (_process is not { HasExited: false }) return;
        var pid = int.Parse(File.ReadLines(Path.Combine(DataDir, "postmaster.pid")).First());
        await RunAsync("/bin/kill", ["-INT", pid.ToString()], asPostgres: false);
        await _process.WaitExitAsync(TimeSpan.FromSeconds(30));
    }

    /// <summary>Creates an empty database and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string name)
    {
        if (!System.Text.RegularExpressions.Regex.IsMatch(name, "^[a-z_][a-z0-9_]*$")) throw new ArgumentException("database name: [a-z_][a-z0-9_]*", nameof(name));
        await PsqlAsync($"CREATE DATABASE {name}");
        return ConnectionStringFor(name);
    }

    /// <summary>Runs SQL with psql over the unix socket (trust, no password).</summary>
    public Task PsqlAsync(string sql, string database = "postgres") =>
        RunAsync(Path.Combine(Bin, "psql"), ["-h", Dir, "-p", Port.ToString(), "-U", "postgres", "-d", database, "-v", "ON_ERROR_STOP=1", "-qc", sql]);

    private static ChildProcess Start(string file, string[] args, bool asPostgres = true) =>
        Root && asPostgres ? ChildProcess.Start("/usr/sbin/runuser", ["-u", "postgres", "--", file, .. args]) : ChildProcess.Start(file, args);

    private static async Task RunAsync(string file, string[] args, bool asPostgres = true)
    {
        await using var p = Start(file, args, asPostgres);
        var rc = await p.WaitExitAsync(TimeSpan.FromSeconds(120));
        if (rc != 0) throw new InvalidOperationException($"{Path.GetFileName(file)} exited {rc}:\n{p.Tail()}");
    }

    public async ValueTask DisposeAsync()
    {
        try { await StopAsync(); }
        catch (Exception e) when (e is IOException or FormatException or InvalidOperationException or TimeoutException) { }
        if (_process != null) await _process.DisposeAsync();
        _process = null;
        try { Directory.Delete(Dir, true); } catch (IOException) { }
    }
}
