using System.CommandLine;
using StreamWatch.Config;
using StreamWatch.Inference.Onnx;
using StreamWatch.Inference.Qwen3Vl;
using StreamWatch.Inference.Qwen3Vl.Bench;

namespace StreamWatch.Cli;

/// <summary>
/// <c>streamwatch bench model [DIR] [--shape 2b|4b [--layers N]] [--tokens N] [--config FILE]</c>: times vision encoding of
/// one 672×384 frame, prefill and per-token decode on the configured Model:Onnx provider, either on an export folder or
/// on a random-weight graph set of the real Qwen3-VL widths written to a temp folder (see <see cref="SyntheticExport"/>).
/// </summary>
public static class BenchVerb
{
    public static Command Create()
    {
        var dir = new Argument<DirectoryInfo?>("DIR") { Arity = ArgumentArity.ZeroOrOne, Description = "Qwen3-VL ONNX export folder (or give --shape)" };
        var shape = new Option<string?>("--shape") { HelpName = "2b|4b", Description = "write a random-weight graph set of the real Qwen3-VL-2B/4B widths and time that" };
        var layers = new Option<int?>("--layers") { HelpName = "N", Description = "with --shape: decoder layers (and ViT blocks, at most 24) [default: all]" };
        var tokens = new Option<int>("--tokens") { HelpName = "N", Description = "decode steps to time", DefaultValueFactory = _ => 16 };
        var config = StreamWatchCli.ConfigOption();
        var model = new Command("model", "Time vision encoding of one 672x384 frame, prefill and per-token decode on the configured provider")
            { dir, shape, layers, tokens, config };
        model.SetAction(p => Run(p.GetValue(dir)?.FullName, p.GetValue(shape), p.GetValue(layers), p.GetValue(tokens), p.GetValue(config),
            p.InvocationConfiguration.Output, p.InvocationConfiguration.Error));
        var bench = new Command("bench", "Benchmarks") { model };
        return bench;
    }

    private static int Run(string? dir, string? shapeName, int? layers, int tokens, string? configFile, TextWriter stdout, TextWriter stderr)
    {
        if ((dir == null) == (shapeName == null)) throw new UsageException("give either DIR or --shape 2b|4b");
        if (layers != null && shapeName == null) throw new UsageException("--layers goes with --shape");
        if (tokens < 1) throw new UsageException("--tokens must be at least 1");
        var options = ConfigLoader.Load(configFile).Model.Onnx;
        string? temp = null;
        try
        {
            if (shapeName != null)
            {
                var shape = QwenShape.Parse(shapeName) ?? throw new UsageException($"--shape must be 2b or 4b (got '{shapeName}')");
                int n = layers ?? shape.Layers;
                if (n < 1 || n > shape.Layers) throw new UsageException($"--layers must be 1..{shape.Layers} for {shape.Name}");
                int vision = Math.Min(n, QwenShape.VisionDepth);
                temp = dir = Directory.CreateTempSubdirectory("streamwatch-bench-").FullName;
                var started = System.Diagnostics.Stopwatch.GetTimestamp();
                SyntheticExport.Write(dir, shape, n, vision);
                stdout.WriteLine($"graph: qwen3-vl-{shape.Name} widths (hidden {shape.Hidden}, {shape.Heads} q / {shape.KvHeads} kv heads of {shape.HeadDim}, MLP {shape.Intermediate}, vocab {QwenShape.Vocab}), " +
                    $"{n} of {shape.Layers} decoder layers, {vision} of {QwenShape.VisionDepth} ViT blocks, random float32 weights; " +
                    $"decoder weights {shape.DecoderWeightBytes(n) / 1e9:F2} GB (read once per decode step); written to {dir} in {System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds:F1} s (removed afterwards)");
            }
            options.ModelDirectory = dir!;
            var f = ModelBench.Run(dir!, options, tokens);
            stdout.WriteLine($"provider: {f.Provider.ToString().ToLowerInvariant()}, {f.Layers} decoder layers, prompt {f.PromptTokens} tokens ({f.ImageTokens} image tokens)");
            stdout.WriteLine($"vision: {f.VisionMs:F1} ms (one {ModelBench.FrameWidth}x{ModelBench.FrameHeight} frame)");
            stdout.WriteLine($"prefill: {f.PrefillMs:F1} ms ({f.PromptTokens} tokens)");
            stdout.WriteLine($"decode: {f.DecodeMedianMs:F2} ms/token median, {f.DecodeMinMs:F2} min ({f.DecodeMs.Length} tokens)");
            return 0;
        }
        catch (Exception e) when (e is ModelFormatException or OnnxException or IOException)
        {
            stderr.WriteLine($"streamwatch: bench model: {e.Message}");
            return 1;
        }
        finally
        {
            if (temp != null) Directory.Delete(temp, recursive: true);
        }
    }
}
