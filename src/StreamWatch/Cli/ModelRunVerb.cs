using System.CommandLine;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using StreamWatch.Config;
using StreamWatch.Imaging;
using StreamWatch.Inference.Onnx;
using StreamWatch.Inference.Qwen3Vl;

namespace StreamWatch.Cli;

/// <summary>
/// <c>streamwatch model run DIR [--system TEXT] [--max-tokens N] [--max-pixels N] [--config FILE] ITEM...</c>:
/// greedy generation on a Qwen3-VL export for a prompt of text and <c>@image.png</c> items in order;
/// prints one JSON object {"prompt_ids":[...],"ids":[...],"text":"..."}. Checks an export against a reference.
/// </summary>
public static class ModelRunVerb
{
    public static Command Create()
    {
        var dir = new Argument<DirectoryInfo>("DIR") { Description = "Qwen3-VL ONNX export folder (with tokenizer.json)" }.AcceptExistingOnly();
        var items = new Argument<string[]>("ITEM") { Arity = ArgumentArity.OneOrMore, Description = "the user turn in order: text, or @path for an image (PNG/JPEG, RGB)" };
        var system = new Option<string?>("--system") { HelpName = "TEXT", Description = "system turn [default: none]" };
        var maxTokens = new Option<int>("--max-tokens") { HelpName = "N", Description = "tokens to generate at most", DefaultValueFactory = _ => 64 };
        var maxPixels = new Option<int?>("--max-pixels") { HelpName = "N", Description = "resize images to at most N pixels [default: the folder's preprocessor_config.json]" };
        var config = StreamWatchCli.ConfigOption();
        var verb = new Command("run", "Greedy generation for a prompt of text and @image items; prints {\"prompt_ids\",\"ids\",\"text\"} as JSON")
            { dir, items, system, maxTokens, maxPixels, config };
        verb.SetAction(p => Run(p.GetValue(dir)!.FullName, p.GetValue(items)!, p.GetValue(system), p.GetValue(maxTokens), p.GetValue(maxPixels),
            p.GetValue(config), p.InvocationConfiguration.Output, p.InvocationConfiguration.Error));
        return verb;
    }

    private static int Run(string dir, string[] items, string? system, int maxTokens, int? maxPixels, string? configFile, TextWriter stdout, TextWriter stderr)
    {
        try { return Generate(dir, items, system, maxTokens, maxPixels, configFile, stdout); }
        catch (Exception e) when (e is FileNotFoundException or InvalidDataException or ModelFormatException or ArgumentException or OnnxException)
        {
            stderr.WriteLine($"streamwatch: model run: {e.Message}");
            return 1;
        }
    }

    private static int Generate(string dir, string[] items, string? system, int maxTokens, int? maxPixels, string? configFile, TextWriter stdout)
    {
        if (maxTokens < 1) throw new UsageException("--max-tokens must be at least 1");
        if (maxPixels is < 1) throw new UsageException("--max-pixels must be at least 1");
        var options = ConfigLoader.Load(configFile).Model.Onnx;
        options.ModelDirectory = dir;
        var limits = PreprocessorLimits.Read(dir);
        var tokenizer = Qwen3Tokenizer.Load(options.ResolveTokenizerPath());
        var images = new List<PreprocessedImage>();
        var prompt = new List<PromptItem>();
        foreach (var item in items)
        {
            if (!item.StartsWith('@')) { prompt.Add(new TextItem(item)); continue; }
            var rgb = RgbImage.Load(item[1..]);
            var img = ImagePreprocessor.FromRgb(rgb.Pixels, rgb.Width, rgb.Height, maxPixels ?? limits.MaxPixels, limits.MinPixels);
            images.Add(img);
            prompt.Add(new ImageItem(img.GridH / 2, img.GridW / 2));
        }
        var built = new PromptBuilder(tokenizer).Build(system, prompt);
        using var model = Qwen3VlModel.Load(dir, new OnnxEnvironment(), options, NullLogger.Instance);
        var result = new Qwen3VlGenerator(model, tokenizer).Generate(built, images, null, maxTokens, CancellationToken.None);
        stdout.WriteLine(JsonSerializer.Serialize(new { prompt_ids = built.InputIds, ids = result.TokenIds, text = tokenizer.Decode(result.TokenIds) },
            new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));
        return 0;
    }
}
