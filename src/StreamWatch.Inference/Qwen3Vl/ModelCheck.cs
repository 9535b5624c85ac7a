using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using StreamWatch.Inference.Onnx;

namespace StreamWatch.Inference.Qwen3Vl;

/// <summary>The outcome of <c>streamwatch model check DIR</c>: what was found, or exactly what is wrong.</summary>
public sealed record ModelCheckResult(bool Ok, string Report);

/// <summary>Loads a model folder and describes it (layout, tensors, element types, layers, KV shape, DeepStack, providers).</summary>
public static class ModelCheck
{
    public static ModelCheckResult Run(string dir, OnnxOptions options, ILogger? log = null)
    {
        var sb = new StringBuilder();
        OnnxEnvironment rt;
        try { rt = new OnnxEnvironment(log); }
        catch (Exception e) when (e is DllNotFoundException or BadImageFormatException or EntryPointNotFoundException or TypeInitializationException)
        {
            return new(false, $"cannot load ONNX Runtime: {e.Message}");
        }
        sb.AppendLine($"ONNX Runtime {rt.Version}");
        sb.AppendLine($"providers available: {string.Join(", ", rt.AvailableProviders)}");
        try
        {
            using var m = Qwen3VlModel.Load(dir, rt, options, log ?? NullLogger.Instance);
            sb.AppendLine($"model: {dir}");
            sb.AppendLine($"layout: {(m.Layout == ModelLayout.GenAi ? "onnxruntime-genai / Olive" : "onnx-community (transformers.js)")}");
            sb.AppendLine($"execution provider: {m.Provider.Text()}{(rt.CudaUnavailableReason is { } why ? $" (CUDA unavailable: {why})" : "")}");
            foreach (var (role, path, s) in new[] { ("vision", m.Files.Vision, m.Vision), ("embedding", m.Files.Embedding, m.Embedding), ("decoder", m.Files.Decoder, m.Decoder) })
            {
                sb.AppendLine($"{role} graph: {Path.GetRelativePath(dir, path)}");
                sb.AppendLine($"  in:  {Summarise(s.Inputs)}");
                sb.AppendLine($"  out: {Summarise(s.Outputs)}");
            }
            sb.Append(m.Signature.Describe()).AppendLine();
            return new(true, sb.ToString());
        }
        catch (ModelFormatException e) { return new(false, sb.Append("problem: ").AppendLine(e.Message).ToString()); }
        catch (OnnxException e) { return new(false, sb.Append("problem: ONNX Runtime: ").AppendLine(e.Message).ToString()); }
    }

    /// <summary>Lists tensors, folding past_key_values.N.* / present.N.* into one entry with the layer range.</summary>
    private static string Summarise(IReadOnlyList<TensorInfo> list)
    {
        var kv = list.Where(t => t.Name.StartsWith("past_key_values.") || t.Name.StartsWith("present.")).ToList();
        var parts = list.Except(kv).Select(t => t.ToString()).ToList();
        foreach (var g in kv.GroupBy(t => t.Name.StartsWith("present.") ? "present" : "past_key_values"))
            parts.Add($"{g.Key}.{{0..{g.Count() / 2 - 1}}}.key/.value {g.First().ElementType} [{g.First().ToString().Split('[')[1]}");
        return string.Join("; ", parts);
    }
}
