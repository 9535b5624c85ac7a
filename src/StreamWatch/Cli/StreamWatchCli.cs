using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using StreamWatch.Core.Config;

namespace StreamWatch.Cli;

/// <summary>
/// The command line (System.CommandLine). Each verb lives in its own <c>Cli/*Verb.cs</c> whose
/// <c>Create()</c> returns a <see cref="Command"/>, and is registered by one line in
/// <see cref="Verbs"/>; sub-verbs (<c>model check</c>) go into their <see cref="Group"/>. Give
/// options a <c>HelpName</c>, a <c>DefaultValueFactory</c> where the default is a value (help shows
/// "[default: 128]") or the default in words in the description; a variadic positional is an
/// <c>Argument&lt;string[]&gt;</c> with <c>Arity = ArgumentArity.OneOrMore</c>. No verb means
/// <c>run</c>. Exit codes: 64 wrong words (error and usage on stderr), 78 invalid configuration
/// (<see cref="ConfigException"/>), otherwise the verb's own.
/// </summary>
public static class StreamWatchCli
{
    private static IEnumerable<Command> Verbs() =>
    [
        RunVerb.Create(),
        ReplayVerb.Create(),
        EvalVerb.Create(),
        IndexVerb.Create(),
        ExportVerb.Create(),
        HashPasswordVerb.Create(),
        BenchVerb.Create(),
        Group("model", "Vision-language model tools", ModelCheckVerb.Create(), ModelRunVerb.Create()),
    ];

    public static RootCommand Build()
    {
        var root = new RootCommand("StreamWatch: watches camera streams, gates motion, asks a vision-language model, publishes alerts.");
        root.HelpName = "streamwatch"; // also when hosted in-process (tests), whatever the executable is called
        foreach (var verb in Verbs()) root.Subcommands.Add(verb);
        var run = root.Subcommands.Single(c => c.Name == "run");
        foreach (var option in run.Options) root.Options.Add(option);
        root.Action = run.Action;
        root.Options.OfType<VersionOption>().Single().Action = new VersionAction();
        return root;
    }

    public static async Task<int> InvokeAsync(string[] args, TextWriter? stdout = null, TextWriter? stderr = null)
    {
        stdout ??= Console.Out;
        stderr ??= Console.Error;
        var parse = Build().Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null }); // "@file" is a file name, not a response file
        var invocation = new InvocationConfiguration
        {
            Output = stdout, Error = stderr,
            EnableDefaultExceptionHandler = false, // ConfigException and UsageException get our exit codes below
            ProcessTerminationTimeout = null, // the Generic Host handles SIGTERM/SIGINT with its own shutdown timeout
        };
        if (parse.Action is ParseErrorAction)
        {
            invocation.Output = stderr; // the errors, then the usage of the verb, both on stderr
            await parse.InvokeAsync(invocation);
            return UsageException.ExitCode;
        }
        try
        {
            return await parse.InvokeAsync(invocation);
        }
        catch (ConfigException e)
        {
            stderr.WriteLine($"streamwatch: {e.Message}");
            return ConfigException.ExitCode;
        }
        catch (UnavailableException e)
        {
            stderr.WriteLine($"streamwatch: {e.Message}");
            return UnavailableException.ExitCode;
        }
        catch (UsageException e)
        {
            stderr.WriteLine($"streamwatch: {e.Message}\n");
            invocation.Output = stderr;
            new HelpAction().Invoke(parse); // the usage of the verb that refused its words
            return UsageException.ExitCode;
        }
    }

    /// <summary><c>--config FILE</c>, shared by every verb that reads the configuration.</summary>
    public static Option<string?> ConfigOption() => new("--config")
    {
        HelpName = "FILE",
        Description = "JSON configuration read over appsettings.json (next to the executable, then the working directory) [default: none]",
    };

    /// <summary>A verb that only holds sub-verbs (<c>model check</c>, <c>model run</c>).</summary>
    private static Command Group(string name, string description, params Command[] verbs)
    {
        var group = new Command(name, description);
        foreach (var verb in verbs) group.Subcommands.Add(verb);
        return group;
    }

    /// <summary><c>--version</c>: "streamwatch 1.2.3 (commit abc1234)", the commit embedded at build time.</summary>
    private sealed class VersionAction : SynchronousCommandLineAction
    {
        public override bool ClearsParseErrors => true;

        public override int Invoke(ParseResult parseResult)
        {
            parseResult.InvocationConfiguration.Output.WriteLine(BuildInfo.VersionLine);
            return 0;
        }
    }
}
