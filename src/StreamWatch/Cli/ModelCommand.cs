using StreamWatch.Config;
using StreamWatch.Inference.Qwen3Vl;

namespace StreamWatch.Cli;

/// <summary>
/// `streamwatch model check DIR [--config FILE]`: loads the ONNX model folder with the configured
/// Model:Onnx runtime settings and prints what it holds (exit 0), or exactly what is wrong (exit 1).
/// </summary>
public static class ModelCommand
{
    public static int Run(string dir, string? configFile, TextWriter stdout, TextWriter stderr)
    {
        var ort = ConfigLoader.Load(configFile).Model.Onnx;
        var result = ModelCheck.Run(dir, ort);
        stdout.Write(result.Report);
        if (!result.Ok) stderr.WriteLine($"streamwatch: '{dir}' is not a usable Qwen3-VL ONNX export (see the problem above)");
        return result.Ok ? 0 : 1;
    }
}
