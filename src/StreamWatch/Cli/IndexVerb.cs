using System.CommandLine;
using StreamWatch.Indexing;

namespace StreamWatch.Cli;

/// <summary><c>streamwatch index VIDEO [--config FILE] [--profile NAME] [--out FILE]</c>.</summary>
public static class IndexVerb
{
    public static Command Create()
    {
        var video = new Argument<FileInfo>("VIDEO") { Description = "Video file to index, as fast as it decodes" }.AcceptExistingOnly();
        var config = StreamWatchCli.ConfigOption();
        var profile = new Option<string?>("--profile")
        {
            HelpName = "NAME",
            Description = "Prompt profile the model answers with (security, actions, sports or a configured one) [default: security]",
        };
        var output = new Option<string?>("--out") { HelpName = "FILE", Description = "Where the timeline JSON goes [default: standard output]" };
        var verb = new Command("index", "Index a video file into events with the model (Model:Backend), store them under a camera named after the file, print a timeline (docs/index.md)")
            { video, config, profile, output };
        verb.SetAction((p, ct) => IndexCommand.RunAsync(p.GetValue(video)!.FullName, p.GetValue(config), p.GetValue(profile), p.GetValue(output),
            p.InvocationConfiguration.Output, p.InvocationConfiguration.Error, ct));
        return verb;
    }
}
