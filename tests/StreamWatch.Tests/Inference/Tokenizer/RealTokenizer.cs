using StreamWatch.Inference.Qwen3Vl;

namespace StreamWatch.Tests.Inference.Tokenizer;

/// <summary>The real Qwen3 tokenizer (native/qwen3/tokenizer.json), loaded once for all tests.</summary>
public static class RealTokenizer
{
    private static readonly Lazy<Qwen3Tokenizer> Lazy = new(() => Qwen3Tokenizer.Load(Path));

    public static Qwen3Tokenizer Instance => Lazy.Value;

    public static string Path => System.IO.Path.Combine(RepoRoot(), "native", "qwen3", "tokenizer.json");

    public static string RepoRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d != null; d = d.Parent)
            if (File.Exists(System.IO.Path.Combine(d.FullName, "StreamWatch.sln"))) return d.FullName;
        throw new InvalidOperationException("StreamWatch.sln not found above " + AppContext.BaseDirectory);
    }
}
