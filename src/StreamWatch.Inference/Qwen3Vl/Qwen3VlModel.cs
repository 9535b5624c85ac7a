using Microsoft.Extensions.Logging;
using StreamWatch.Inference.Onnx;

namespace StreamWatch.Inference.Qwen3Vl;

/// <summary>
/// A loaded Qwen3-VL ONNX export: the vision, embedding and decoder sessions and what their graphs
/// say (layout, element types, layers, KV shape, DeepStack). Thread-safe to share between generators.
/// </summary>
public sealed class Qwen3VlModel : IDisposable
{
    private Qwen3VlModel(ModelFiles files, OnnxSession vision, OnnxSession embedding, OnnxSession decoder, ModelSignature sig)
    {
        Files = files; Vision = vision; Embedding = embedding; Decoder = decoder; Signature = sig;
    }

    public ModelFiles Files { get; }
    public ModelLayout Layout => Files.Layout;
    public ModelSignature Signature { get; }
    public bool HasDeepStack => Signature.HasDeepStack;
    /// <summary>Where the decoder actually runs.</summary>
    public ExecutionProvider Provider => Decoder.Provider;
    internal OnnxSession Vision { get; }
    internal OnnxSession Embedding { get; }
    internal OnnxSession Decoder { get; }

    public static Qwen3VlModel Load(string dir, OnnxEnvironment rt, OnnxOptions o, ILogger log)
    {
        var files = ModelLayoutDetector.Detect(dir);
        var opened = new List<OnnxSession>();
        try
        {
            OnnxSession Open(string role, string path)
            {
                try { var s = rt.OpenSession(path, o); opened.Add(s); return s; }
                catch (OnnxException e) { throw new ModelFormatException($"{role} graph {path}: ONNX Runtime cannot load it: {e.Message}"); }
            }
            var vision = Open("vision", files.Vision);
            var embedding = Open("embedding", files.Embedding);
            var decoder = Open("decoder", files.Decoder);
            var sig = ModelSignature.From(vision.Inputs, vision.Outputs, embedding.Inputs, embedding.Outputs, decoder.Inputs, decoder.Outputs);
            if (!sig.HasDeepStack)
                log.LogWarning("Qwen3-VL export in {Dir} carries no DeepStack features; running without them (lower accuracy)", dir);
            log.LogInformation("Qwen3-VL loaded from {Dir}: {Layout} layout, {Layers} layers, {Provider}", dir, files.Layout, sig.Layers, decoder.Provider.Text());
            return new Qwen3VlModel(files, vision, embedding, decoder, sig);
        }
        catch
        {
            foreach (var s in opened) s.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        Vision.Dispose();
        Embedding.Dispose();
        Decoder.Dispose();
    }
}
