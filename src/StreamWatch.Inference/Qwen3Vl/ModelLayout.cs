using System.Text.Json;

namespace StreamWatch.Inference.Qwen3Vl;

/// <summary>The two public ONNX exports of Qwen3-VL (see shared/specs/qwen3-vl.md §5).</summary>
public enum ModelLayout
{
    /// <summary>onnxruntime-genai / Olive: genai_config.json + vision, embedding and decoder graphs.</summary>
    GenAi,
    /// <summary>transformers.js / onnx-community: onnx/vision_encoder*, embed_tokens*, decoder_model_merged*.</summary>
    OnnxCommunity,
}

/// <summary>A model folder's layout and the three graph files (full paths).</summary>
public sealed record ModelFiles(ModelLayout Layout, string Vision, string Embedding, string Decoder);

/// <summary>A model folder or graph that is not a usable Qwen3-VL export; the message says exactly what is wrong.</summary>
public sealed class ModelFormatException(string message) : Exception(message);

/// <summary>Finds the layout and graph files of a model folder from its file names (pure over a file listing).</summary>
public static class ModelLayoutDetector
{
    // Variant suffixes of onnx-community files, most preferred first.
    private static readonly string[] Suffixes = ["", "_fp16", "_q4f16", "_q4", "_int8", "_uint8", "_quantized", "_bnb4"];

    public static ModelFiles Detect(string dir)
    {
        if (!Directory.Exists(dir)) throw new ModelFormatException($"model folder not found: {dir}");
        var files = Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(dir, f).Replace('\\', '/')).ToList();
        var cfg = Path.Combine(dir, "genai_config.json");
        return Detect(dir, files, File.Exists(cfg) ? File.ReadAllText(cfg) : null);
    }

    /// <param name="files">paths relative to <paramref name="dir"/>, '/'-separated</param>
    /// <param name="genaiConfig">the text of genai_config.json, when the folder has one</param>
    public static ModelFiles Detect(string dir, IReadOnlyCollection<string> files, string? genaiConfig)
    {
        string Full(string rel) => Path.Combine(dir, rel);
        if (genaiConfig != null)
        {
            var (v, e, d) = FromGenAiConfig(genaiConfig, files);
            return new ModelFiles(ModelLayout.GenAi, Full(v), Full(e), Full(d));
        }
        var onnx = files.Where(f => f.StartsWith("onnx/") && f.EndsWith(".onnx")).Select(f => f[5..^5]).ToList();
        if (onnx.Count > 0)
        {
            var roles = new[] { "vision_encoder", "embed_tokens", "decoder_model_merged" };
            var variants = roles.Select(r => onnx.Where(n => n.StartsWith(r)).Select(n => n[r.Length..]).ToHashSet()).ToArray();
            var missing = roles.Where((r, i) => variants[i].Count == 0).Select(r => $"onnx/{r}*.onnx").ToList();
            if (missing.Count > 0)
                throw new ModelFormatException($"{dir}: onnx-community layout is missing {string.Join(", ", missing)} (found: {string.Join(", ", onnx.Select(n => $"onnx/{n}.onnx"))})");
            var common = variants.Skip(1).Aggregate(new HashSet<string>(variants[0]), (a, b) => { a.IntersectWith(b); return a; });
            string Pick(HashSet<string> s) => Suffixes.FirstOrDefault(s.Contains) ?? s.Order(StringComparer.Ordinal).First();
            var chosen = roles.Select((r, i) => $"onnx/{r}{Pick(common.Count > 0 ? common : variants[i])}.onnx").ToArray();
            return new ModelFiles(ModelLayout.OnnxCommunity, Full(chosen[0]), Full(chosen[1]), Full(chosen[2]));
        }
        var shown = files.Count == 0 ? "the folder is empty" : "found: " + string.Join(", ", files.Take(12)) + (files.Count > 12 ? ", ..." : "");
        throw new ModelFormatException($"{dir}: no Qwen3-VL ONNX export: expected genai_config.json (onnxruntime-genai/Olive) or onnx/vision_encoder*.onnx, onnx/embed_tokens*.onnx, onnx/decoder_model_merged*.onnx (onnx-community); {shown}");
    }

    private static (string Vision, string Embedding, string Decoder) FromGenAiConfig(string json, IReadOnlyCollection<string> files)
    {
        JsonElement model;
        try
        {
            using var doc = JsonDocument.Parse(json);
            if (!doc.RootElement.TryGetProperty("model", out model)) throw new ModelFormatException("genai_config.json has no \"model\" section");
            model = model.Clone();
        }
        catch (JsonException e) { throw new ModelFormatException($"genai_config.json is not valid JSON: {e.Message}"); }
        var type = model.TryGetProperty("type", out var t) ? t.GetString() : null;
        if (type != "qwen3_vl") throw new ModelFormatException($"genai_config.json model.type is \"{type}\", expected \"qwen3_vl\"");

        string Role(string section, Func<string, bool> guess)
        {
            string? name = model.TryGetProperty(section, out var s) && s.TryGetProperty("filename", out var f) ? f.GetString() : null;
            name ??= files.Where(x => !x.Contains('/') && x.EndsWith(".onnx") && guess(x.ToLowerInvariant())).Order(StringComparer.Ordinal).FirstOrDefault();
            if (name == null) throw new ModelFormatException($"genai_config.json names no model.{section}.filename and no {section} .onnx file was found");
            if (!files.Contains(name)) throw new ModelFormatException($"genai_config.json model.{section}.filename \"{name}\" does not exist in the folder");
            return name;
        }
        var vision = Role("vision", n => n.Contains("vision"));
        var embedding = Role("embedding", n => n.Contains("embed"));
        var decoder = Role("decoder", n => !n.Contains("vision") && !n.Contains("embed"));
        return (vision, embedding, decoder);
    }
}
