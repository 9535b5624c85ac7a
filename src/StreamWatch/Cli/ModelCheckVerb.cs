using System.CommandLine;

namespace StreamWatch.Cli;

/// <summary><c>streamwatch model check DIR [--config FILE]</c>.</summary>
public static class ModelCheckVerb
{
    public static Command Create()
    {
        var dir = new Argument<DirectoryInfo>("DIR") { Description = "Qwen3-VL ONNX export folder" }.AcceptExistingOnly();
        var config = StreamWatchCli.ConfigOption();
        var verb = new Command("check", "Load the model folder with the configured Model:Onnx settings and print what it holds (exit 1 if unusable)") { dir, config };
        verb.SetAction(p => ModelCommand.Run(p.GetValue(dir)!.FullName, p.GetValue(config), p.InvocationConfiguration.Output, p.InvocationConfiguration.Error));
        return verb;
    }
}
