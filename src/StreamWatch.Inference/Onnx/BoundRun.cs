using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;

namespace StreamWatch.Inference.Onnx;

/// <summary>
/// A graph run through an IoBinding whose inputs and outputs are fixed CPU tensors, bound once: the
/// caller writes new values into the input buffers and reads the outputs in place (no per-run allocation).
/// </summary>
public sealed class BoundRun : IDisposable
{
    private readonly OnnxSession _session;
    private readonly OrtIoBinding _binding;

    internal BoundRun(OnnxSession session, IEnumerable<(string Name, OnnxTensor Tensor)> inputs, IEnumerable<(string Name, OnnxTensor Tensor)> outputs)
    {
        _session = session;
        _binding = session.Session.CreateIoBinding();
        foreach (var (n, t) in inputs) _binding.BindInput(n, t.Value);
        foreach (var (n, t) in outputs) _binding.BindOutput(n, t.Value);
    }

    /// <summary>Runs the graph; returns the Stopwatch ticks spent inside ONNX Runtime.</summary>
    public long Run()
    {
        long t = Stopwatch.GetTimestamp();
        try { _session.Session.RunWithBinding(_session.RunOptions, _binding); }
        catch (OnnxRuntimeException e) { throw new OnnxException(e.Message, e); }
        return Stopwatch.GetTimestamp() - t;
    }

    public void Dispose() => _binding.Dispose();
}
