using System.CommandLine;
using System.Diagnostics;
using StreamWatch.Cli;

namespace StreamWatch.Tests.Cli;

/// <summary>The command line in-process: help, version, usage errors (64), the default verb.</summary>
public class StreamWatchCliTests
{
    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    public async Task Help_exits_0_and_lists_every_verb(string flag)
    {
        var (code, stdout, stderr) = await InvokeAsync(flag);
        Assert.Equal(0, code);
        Assert.Equal("", stderr);
        Assert.Contains("Usage:", stdout);
        foreach (var verb in new[] { "run", "replay <VIDEO>", "eval", "index <VIDEO>", "export", "model", "--config <FILE>", "--version" })
            Assert.Contains(verb, stdout);
    }

    [Fact]
    public async Task Version_prints_the_version_and_the_commit_of_the_checkout()
    {
        var (code, stdout, _) = await InvokeAsync("--version");
        Assert.Equal(0, code);
        Assert.Matches(@"^streamwatch \d+\.\d+\.\d+ \(commit [0-9a-f]{12}\)\n$", stdout.ReplaceLineEndings("\n"));
        Assert.StartsWith(BuildInfo.Commit!, await GitHeadAsync());
    }

    [Theory]
    [InlineData("run", "--config <FILE>", "the default verb")]
    [InlineData("replay", "<VIDEO>", "--config <FILE>", "--camera <NAME>", "[default: the first configured camera", "--events-out <FILE>", "[default: standard output]")]
    [InlineData("eval", "--clips <DIR> (REQUIRED)", "--labels <FILE> (REQUIRED)", "--config <FILE>", "--camera <NAME>", "--out <FILE>", "[default: standard output only]")]
    [InlineData("index", "<VIDEO>", "--config <FILE>", "--profile <NAME>", "[default: security]", "--out <FILE>", "[default: standard output]")]
    [InlineData("export", "--since <T>", "--until <T>", "--camera <NAME>", "--format <FORMAT> (REQUIRED)", "--index <NAME>", "[default: streamwatch-events]", "--config <FILE>")]
    [InlineData("model check", "<DIR>", "--config <FILE>")]
    [InlineData("model", "check <DIR>")]
    [InlineData("bench model", "<DIR>", "--shape <2b|4b>", "--layers <N>", "--tokens <N>", "[default: 16]", "--config <FILE>")]
    public async Task Each_verb_help_lists_its_options_and_defaults(string verb, params string[] expected)
    {
        var (code, stdout, _) = await InvokeAsync([.. verb.Split(' '), "--help"]);
        Assert.Equal(0, code);
        Assert.Contains($"streamwatch {verb}", stdout);
        foreach (var e in expected) Assert.Contains(e, stdout);
    }

    [Theory]
    [InlineData("Unrecognized command or argument '--bogus'", "streamwatch [command] [options]", "--bogus")]
    [InlineData("Unrecognized command or argument 'frobnicate'", "streamwatch [command] [options]", "frobnicate")]
    [InlineData("Unrecognized command or argument '--bogus'", "streamwatch run [options]", "run", "--bogus")]
    [InlineData("Required argument 'VIDEO' missing", "streamwatch replay <VIDEO> [options]", "replay")]
    [InlineData("Option '--labels' is required", "streamwatch eval [options]", "eval", "--clips", ".")]
    [InlineData("--config", "streamwatch run [options]", "run", "--config")]
    [InlineData("Directory does not exist", "streamwatch model check <DIR> [options]", "model", "check", "/nonexistent-model-dir")]
    public async Task Wrong_words_exit_64_with_the_error_and_the_usage_on_stderr(string error, string usage, params string[] args)
    {
        var (code, stdout, stderr) = await InvokeAsync(args);
        Assert.Equal(64, code);
        Assert.Equal("", stdout);
        Assert.Contains(error, stderr);
        Assert.Contains(usage, stderr);
    }

    [Fact]
    public void No_verb_is_run_with_its_options()
    {
        var root = StreamWatchCli.Build();
        var run = root.Subcommands.Single(c => c.Name == "run");
        var parse = root.Parse(["--config", "x.json"]);
        Assert.Empty(parse.Errors);
        Assert.Same(run.Action, parse.Action);
        Assert.Equal("x.json", parse.GetValue<string?>("--config"));
    }

    [Fact]
    public async Task A_bare_streamwatch_loads_the_configuration_like_run_and_exits_78_on_a_bad_one()
    {
        var (code, _, stderr) = await InvokeAsync("--config", "/nonexistent/streamwatch.json");
        Assert.Equal(78, code);
        Assert.Contains("--config: file '/nonexistent/streamwatch.json' does not exist", stderr);
    }

    [Fact]
    public async Task A_usage_error_found_while_the_verb_runs_exits_64_with_the_verb_usage()
    {
        var video = Path.GetTempFileName();
        try
        {
            var (code, _, stderr) = await InvokeAsync("replay", video, "--camera", "nosuch");
            Assert.Equal(64, code);
            Assert.Contains("--camera: no camera named 'nosuch'", stderr);
            Assert.Contains("streamwatch replay <VIDEO> [options]", stderr);
        }
        finally { File.Delete(video); }
    }

    [Fact]
    public async Task Export_of_a_missing_store_exits_78_naming_it_and_creates_nothing()
    {
        var dir = Directory.CreateTempSubdirectory("sw-export-").FullName;
        try
        {
            var state = Path.Combine(dir, "state");
            var config = Path.Combine(dir, "config.json");
            await File.WriteAllTextAsync(config, System.Text.Json.JsonSerializer.Serialize(new { Output = new { StateDirectory = state }, Store = new { Path = "gone.db" } }));
            var (code, stdout, stderr) = await InvokeAsync("export", "--format", "ndjson", "--config", config);
            Assert.Equal(78, code);
            Assert.Equal("", stdout);
            Assert.Contains($"Store:Path: no event store at '{Path.Combine(state, "gone.db")}'", stderr);
            Assert.False(Directory.Exists(state));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public async Task Index_of_a_file_that_does_not_decode_creates_no_store()
    {
        var dir = Directory.CreateTempSubdirectory("sw-index-").FullName;
        try
        {
            var state = Path.Combine(dir, "state");
            var (config, video) = (Path.Combine(dir, "config.json"), Path.Combine(dir, "noise.mp4"));
            await File.WriteAllBytesAsync(video, new byte[4096]);
            await File.WriteAllTextAsync(config, System.Text.Json.JsonSerializer.Serialize(new { Output = new { StateDirectory = state }, Model = new { Backend = "openai", OpenAi = new { BaseUrl = "http://127.0.0.1:9/v1", Model = "m" } } }));
            var (code, _, stderr) = await InvokeAsync("index", video, "--config", config);
            Assert.Equal(64, code);
            Assert.Contains("could not be decoded", stderr);
            Assert.False(File.Exists(Path.Combine(state, "events.db")));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public async Task The_built_executable_answers_version_and_usage_errors_as_a_process()
    {
        var (code, stdout, _) = await RunProcessAsync("--version");
        Assert.Equal(0, code);
        Assert.Contains($"(commit {BuildInfo.Commit})", stdout);

        (code, stdout, var stderr) = await RunProcessAsync("--no-such-option");
        Assert.Equal(64, code);
        Assert.Equal("", stdout);
        Assert.Contains("Unrecognized command or argument '--no-such-option'", stderr);
        Assert.Contains("Usage:", stderr);
    }

    private static async Task<(int Code, string Stdout, string Stderr)> InvokeAsync(params string[] args)
    {
        var (o, e) = (new StringWriter(), new StringWriter());
        var code = await StreamWatchCli.InvokeAsync(args, o, e);
        return (code, o.ToString(), e.ToString());
    }

    private static async Task<string> GitHeadAsync()
    {
        var (code, stdout, stderr) = await RunAsync("git", ["-C", AppContext.BaseDirectory, "rev-parse", "HEAD"]);
        Assert.True(code == 0, stderr);
        return stdout.Trim();
    }

    private static Task<(int, string, string)> RunProcessAsync(params string[] args) =>
        RunAsync("dotnet", [Path.Combine(AppContext.BaseDirectory, "streamwatch.dll"), .. args]);

    private static async Task<(int, string, string)> RunAsync(string file, string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var (stdout, stderr) = (p.StandardOutput.ReadToEndAsync(), p.StandardError.ReadToEndAsync());
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try { await p.WaitForExitAsync(cts.Token); }
        catch (OperationCanceledException) { p.Kill(entireProcessTree: true); throw new TimeoutException($"{file} {string.Join(' ', args)} did not exit within 60 s"); }
        return (p.ExitCode, await stdout, await stderr);
    }
}
