using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;
using StreamWatch.Inference.Onnx;
using StreamWatch.Inference.Qwen3Vl;
using StreamWatch.Tests.Inference.Onnx;

namespace StreamWatch.Benchmarks;

/// <summary>
/// The in-process generation loop on the tiny synthetic Qwen3-VL export (CPU, Microsoft.ML.OnnxRuntime, KV cache and one-row logits through an IoBinding):
/// end-to-end Generate latency, and (printed in GlobalSetup) the loop's own cost per token beyond the
/// time spent inside ORT Run calls (target &lt; 20 µs): median, p10/p90 and mean over 40 × 31 decode steps,
/// and the bytes allocated per decode step. Vocab = logits width: 1 024 isolates the loop, 151 936 adds
/// the real-size arg-max (also benchmarked alone).
/// Run: dotnet run -c Release --project tests/StreamWatch.Benchmarks -- --filter '*InferenceBenchmarks*'
/// </summary>
[MemoryDiagnoser]
public class InferenceBenchmarks
{
    private sealed class Tokens(int n) : ITokenizer
    {
        public int TokenCount => n;
        public int[] Encode(string text) => [];
        public string Decode(ReadOnlySpan<int> ids) => "";
        public ReadOnlySpan<byte> TokenBytes(int id) => [];
        public bool IsSpecial(int id) => false;
    }

    [Params(1024, 151_936)] public int Vocab;

    private string _dir = "";
    private OnnxEnvironment _rt = null!;
    private Qwen3VlModel _model = null!;
    private Qwen3VlGenerator _gen = null!;
    private Prompt _prompt = null!;

    [GlobalSetup]
    public void Setup()
    {
        var opts = new OnnxOptions { Provider = ExecutionProvider.Cpu, IntraOpThreads = 1 };
        _dir = TinyQwen.Write(new TinySpec(ModelLayout.OnnxCommunity) { Vocab = Vocab });
        _rt = new OnnxEnvironment();
        _model = Qwen3VlModel.Load(_dir, _rt, opts, NullLogger.Instance);
        // Stop ids lie beyond a small vocab, so generation always runs to the cap.
        _gen = new Qwen3VlGenerator(_model, new Tokens(Math.Min(Vocab, 151_643)));
        var ids = Enumerable.Range(0, 32).Select(i => (long)(100 + i)).ToArray();
        var pos = Enumerable.Range(0, 3).SelectMany(_ => Enumerable.Range(0, 32).Select(i => (long)i)).ToArray();
        _prompt = new Prompt(ids, pos, 0, []);
        Generate();
        // The figure issue 11 names: per decode step, the loop's own time (bindings, buffers, arg-max,
        // bookkeeping) = the step's wall time minus the time inside the ORT Run calls, measured by the loop.
        var steps = Enumerable.Range(0, 40).SelectMany(_ => Generate().Steps.Skip(1)).ToList();
        var beyond = steps.Select(s => s.StepMicros - s.OrtMicros).Order().ToArray();
        var inside = steps.Select(s => s.OrtMicros).Order().ToArray();
        // bytes allocated per decode step: a 32-token generation less a 2-token one, per extra step
        long Allocated(int tokens) { long a = GC.GetAllocatedBytesForCurrentThread(); _gen.Generate(_prompt, [], null, tokens, CancellationToken.None); return GC.GetAllocatedBytesForCurrentThread() - a; }
        Allocated(2); Allocated(32);
        double perStep = (Allocated(32) - Allocated(2)) / 30.0;
        double P(double[] a, double q) => a[(int)(q * (a.Length - 1))];
        Console.WriteLine($"// InferenceBenchmarks vocab={Vocab}: loop overhead beyond ORT Run per token: median {P(beyond, 0.5):F1} µs, " +
            $"p10 {P(beyond, 0.1):F1}, p90 {P(beyond, 0.9):F1}, mean {beyond.Average():F1} ({beyond.Length} steps; target < 20 µs at 151936); " +
            $"inside Run median {P(inside, 0.5):F1} µs; allocated {perStep:F0} B per decode step");
        _argMaxRow = Enumerable.Range(0, Vocab).Select(i => (float)Math.Sin(i * 0.37)).ToArray();
    }

    private float[] _argMaxRow = [];

    /// <summary>The arg-max over one logits row (the largest single part of the overhead at 151 936).</summary>
    [Benchmark]
    public int ArgMax() => TensorMath.ArgMax(_argMaxRow);

    /// <summary>Prefill of a 32-token prompt plus 32 greedy tokens.</summary>
    [Benchmark]
    public GenerationResult Generate() => _gen.Generate(_prompt, [], null, 32, CancellationToken.None);

    [GlobalCleanup]
    public void Cleanup()
    {
        _model.Dispose();
        Directory.Delete(_dir, true);
    }
}
