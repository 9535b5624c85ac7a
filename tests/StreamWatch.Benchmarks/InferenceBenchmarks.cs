using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;
using StreamWatch.Inference.Onnx;
using StreamWatch.Inference.Qwen3Vl;
using StreamWatch.Tests.Inference.Onnx;

namespace StreamWatch.Benchmarks;

/// <summary>
/// The in-process generation loop on the tiny synthetic Qwen3-VL export (CPU, Microsoft.ML.OnnxRuntime, KV cache and one-row logits through an IoBinding):
/// end-to-end Generate latency, and (printed in GlobalSetup) the loop's own cost per token beyond the
/// time spent inside ORT Run calls (target &lt; 20 µs). Vocab = logits width: 1 024 isolates the loop,
/// 151 936 adds the real-size argmax.
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
        var steps = Enumerable.Range(0, 20).SelectMany(_ => Generate().Steps.Skip(1)).ToList();
        double overhead = steps.Average(s => s.StepMicros - s.OrtMicros), ort = steps.Average(s => s.OrtMicros);
        // medians: on a loaded machine a few preempted steps dominate the means
        double Median(IEnumerable<double> xs) { var a = xs.Order().ToArray(); return a[a.Length / 2]; }
        double overheadMedian = Median(steps.Select(s => s.StepMicros - s.OrtMicros)), ortMedian = Median(steps.Select(s => s.OrtMicros));
        Console.WriteLine($"// InferenceBenchmarks vocab={Vocab}: loop overhead {overhead:F1} µs/token beyond ORT Run ({ort:F1} µs/token inside Run); median {overheadMedian:F1} beyond, {ortMedian:F1} inside");
    }

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
