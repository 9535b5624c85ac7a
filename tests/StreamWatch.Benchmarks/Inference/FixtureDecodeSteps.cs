using Microsoft.Extensions.Logging.Abstractions;
using StreamWatch.Inference.Onnx;
using StreamWatch.Inference.Qwen3Vl;

namespace StreamWatch.Benchmarks.Inference;

/// <summary>
/// <c>fixture-steps DIR</c>: greedy generation on a Qwen3-VL export (e.g. ../shared/fixtures/qwen3vl-tiny/model)
/// for a text-only prompt, once per intra-op thread setting; prints the median and mean time of a decode
/// step inside ORT and of the prefill.
/// </summary>
public static class FixtureDecodeSteps
{
    public static int Run(string[] args)
    {
        if (args.Length != 1) { Console.Error.WriteLine("usage: fixture-steps MODEL_DIR"); return 64; }
        var dir = args[0];
        var tok = Qwen3Tokenizer.Load(Path.Combine(dir, "tokenizer.json"));
        var prompt = new PromptBuilder(tok).Build("You are a camera monitor.", [new TextItem("Is anyone there? Answer in JSON.")]);
        var env = new OnnxEnvironment();
        foreach (var threads in new[] { 1, 2, 0 })
        {
            var o = new OnnxOptions { Provider = ExecutionProvider.Cpu, IntraOpThreads = threads, ModelDirectory = dir };
            using var model = Qwen3VlModel.Load(dir, env, o, NullLogger.Instance);
            var gen = new Qwen3VlGenerator(model, tok);
            gen.Generate(prompt, [], null, 8, CancellationToken.None);   // warm-up
            var runs = Enumerable.Range(0, 5).Select(_ => gen.Generate(prompt, [], null, 24, CancellationToken.None)).ToList();
            var decode = runs.SelectMany(r => r.Steps.Skip(1)).Select(s => s.OrtMicros / 1000).Order().ToArray();
            var prefill = runs.Select(r => r.Steps[0].OrtMicros / 1000).Order().ToArray();
            Console.WriteLine($"intra-op threads {(threads == 0 ? "default" : threads.ToString())}: decode step inside ORT median {decode[decode.Length / 2]:F2} ms " +
                              $"(mean {decode.Average():F2}, min {decode[0]:F2}) over {decode.Length} steps; prefill of {prompt.InputIds.Length} tokens median {prefill[prefill.Length / 2]:F2} ms");
        }
        return 0;
    }
}
