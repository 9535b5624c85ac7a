using System.Text.Json;

namespace StreamWatch.Inference.Qwen3Vl;

/// <summary>The pixel limits of a model folder's preprocessor_config.json (min_pixels / max_pixels, or size.shortest_edge / longest_edge).</summary>
public sealed record PreprocessorLimits(int MinPixels, int MaxPixels)
{
    public static readonly PreprocessorLimits Default = new(ImagePreprocessor.DefaultMinPixels, 16_777_216);

    /// <summary>Reads DIR/preprocessor_config.json; the model defaults when the file or a key is absent.</summary>
    public static PreprocessorLimits Read(string dir)
    {
        var path = Path.Combine(dir, "preprocessor_config.json");
        if (!File.Exists(path)) return Default;
        try
        {
            var root = JsonDocument.Parse(File.ReadAllText(path)).RootElement;
            root.TryGetProperty("size", out var size);
            int Get(string key, string sizeKey, int fallback) =>
                root.TryGetProperty(key, out var v) && v.TryGetInt32(out var n) ? n
                : size.ValueKind == JsonValueKind.Object && size.TryGetProperty(sizeKey, out var s) && s.TryGetInt32(out var m) ? m
                : fallback;
            return new(Get("min_pixels", "shortest_edge", Default.MinPixels), Get("max_pixels", "longest_edge", Default.MaxPixels));
        }
        catch (JsonException e) { throw new ModelFormatException($"{path}: not valid JSON: {e.Message}"); }
    }
}
