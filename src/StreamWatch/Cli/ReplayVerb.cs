using System.CommandLine;
using StreamWatch.Replay;

namespace StreamWatch.Cli;

/// <summary><c>streamwatch replay VIDEO [--config FILE] [--camera NAME] [--events-out FILE]</c>.</summary>
public static class ReplayVerb
{
    public static Command Create()
    {
        var video = new Argument<FileInfo>("VIDEO") { Description = "Video file to run through the pipeline, as fast as it decodes" }.AcceptExistingOnly();
        var config = StreamWatchCli.ConfigOption();
        var camera = new Option<string?>("--camera")
        {
            HelpName = "NAME",
            Description = "Configured camera whose masks, zones and rules apply [default: the first configured camera, else built-in defaults]",
        };
        var eventsOut = new Option<string?>("--events-out")
        {
            HelpName = "FILE",
            Description = "Where the event lines (docs/events.md) go [default: standard output]",
        };
        var verb = new Command("replay", "Run a video file through a camera's pipeline and print its event lines") { video, config, camera, eventsOut };
        verb.SetAction((p, _) => ReplayCommand.RunAsync(p.GetValue(video)!.FullName, p.GetValue(config), p.GetValue(camera), p.GetValue(eventsOut)));
        return verb;
    }
}
