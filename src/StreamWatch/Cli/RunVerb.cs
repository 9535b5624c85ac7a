using System.CommandLine;
using StreamWatch.Runtime;

namespace StreamWatch.Cli;

/// <summary><c>streamwatch [run] [--config FILE]</c>: the daemon; also what a bare <c>streamwatch</c> does.</summary>
public static class RunVerb
{
    public static Command Create()
    {
        var config = StreamWatchCli.ConfigOption();
        var verb = new Command("run", "Run the daemon: watch every configured camera until SIGTERM (the default verb)") { config };
        verb.SetAction((p, _) => DaemonCommand.RunAsync(p.GetValue(config)));
        return verb;
    }
}
