using System.Globalization;
using StreamWatch.Cli;
using StreamWatch.Core.Config;
using StreamWatch.Evaluation;
using StreamWatch.Replay;
using StreamWatch.Runtime;

namespace StreamWatch;

public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        // numbers and times are written the same way whatever the host's locale
        CultureInfo.DefaultThreadCurrentCulture = CultureInfo.DefaultThreadCurrentUICulture = CultureInfo.InvariantCulture;
        CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = CultureInfo.InvariantCulture;
        try
        {
            var cl = CommandLine.Parse(args);
            return cl.Verb switch
            {
                "run" => await DaemonCommand.RunAsync(cl),
                "replay" => await ReplayCommand.RunAsync(cl),
                "eval" => await EvalCommand.RunAsync(cl),
                "model" => ModelCommand.Run(cl),
                _ => throw new UsageException($"unknown command '{cl.Verb}'"),
            };
        }
        catch (ConfigException e)
        {
            Console.Error.WriteLine($"streamwatch: {e.Message}");
            return ConfigException.ExitCode;
        }
        catch (UsageException e)
        {
            Console.Error.WriteLine($"streamwatch: {e.Message}\n{CommandLine.Usage}");
            return UsageException.ExitCode;
        }
    }
}
