using BenchmarkDotNet.Attributes;
using StreamWatch.Inference.Json;
using StreamWatch.Inference.Profiles;
using StreamWatch.Inference.Qwen3Vl;

namespace StreamWatch.Benchmarks.Inference;

/// <summary>
/// Tokenizer load/encode, one constrained-decoding mask step inside a string and at a structural
/// point, and keyframe preprocessing (1080p I420 → 672×384 pixel_values).
/// </summary>
[MemoryDiagnoser]
public class QwenInferenceBenchmarks
{
    private string _path = "";
    private Qwen3Tokenizer _tok = null!;
    private ConstraintVocabulary _vocab = null!;
    private SchemaProgram _program = null!;
    private readonly float[] _logits = new float[Qwen3Tokenizer.ModelTokenCount];
    private readonly byte[] _frame = new byte[1920 * 1080 * 3 / 2];
    private const string Text = "The camera on the north gate saw a person climbing the fence at 03:14:15.926, then running towards the car park. {\"anomaly\": true}\n";

    [GlobalSetup]
    public void Setup()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d != null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "StreamWatch.sln"))) { _path = Path.Combine(d.FullName, "native", "qwen3", "tokenizer.json"); break; }
        _tok = Qwen3Tokenizer.Load(_path);
        _vocab = new ConstraintVocabulary(_tok);
        _program = PromptProfiles.Security.Program;
        new Random(1).NextBytes(_frame);
    }

    [Benchmark] public Qwen3Tokenizer TokenizerLoad() => Qwen3Tokenizer.Load(_path);

    [Benchmark] public ConstraintVocabulary ConstraintVocabularyBuild() => new(_tok);

    [Benchmark] public int[] Encode130Chars() => _tok.Encode(Text);

    [Benchmark]
    public int MaskInsideString()
    {
        var c = new JsonSchemaConstraint(_vocab, _program);
        foreach (var id in _tok.Encode("{\"description\":\"a man")) c.Accept(id);
        c.Apply(_logits);
        return c.AllowedCount;
    }

    [Benchmark]
    public int MaskAfterKey()
    {
        var c = new JsonSchemaConstraint(_vocab, _program);
        foreach (var id in _tok.Encode("{\"description\":\"a man\",\"label\":")) c.Accept(id);
        c.Apply(_logits);
        return c.AllowedCount;
    }

    [Benchmark] public PreprocessedImage Preprocess1080pTo672x384() => ImagePreprocessor.FromI420(_frame, 1920, 1080, 262_144);
}
