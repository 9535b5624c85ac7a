using System.CommandLine;
using StreamWatch.Evaluation;

namespace StreamWatch.Cli;

/// <summary><c>streamwatch eval --clips DIR --labels FILE [--config FILE] [--camera NAME] [--out FILE]</c>.</summary>
public static class EvalVerb
{
    public static Command Create()
    {
        var clips = new Option<DirectoryInfo>("--clips") { Required = true, HelpName = "DIR", Description = "Folder holding the labelled clips" }.AcceptExistingOnly();
        var labels = new Option<FileInfo>("--labels") { Required = true, HelpName = "FILE", Description = "Labels: per clip, the intervals with motion that matters" }.AcceptExistingOnly();
        var config = StreamWatchCli.ConfigOption();
        var camera = new Option<string?>("--camera")
        {
            HelpName = "NAME",
            Description = "Configured camera whose settings apply [default: the first configured camera, else built-in defaults]",
        };
        var output = new Option<string?>("--out") { HelpName = "FILE", Description = "Also write the score table to this file [default: standard output only]" };
        var verb = new Command("eval", "Replay labelled clips and score the motion gate against the labels") { clips, labels, config, camera, output };
        verb.SetAction((p, _) => EvalCommand.RunAsync(p.GetValue(clips)!.FullName, p.GetValue(labels)!.FullName, p.GetValue(config), p.GetValue(camera), p.GetValue(output)));
        return verb;
    }
}
