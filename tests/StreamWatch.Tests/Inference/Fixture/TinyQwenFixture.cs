using System.Text;
using System.Text.Json;
using StreamWatch.Imaging;
using StreamWatch.Inference.Qwen3Vl;
using StreamWatch.Tests.Inference.Tokenizer;

namespace StreamWatch.Tests.Inference.Fixture;

/// <summary>
/// ../shared/fixtures/qwen3vl-tiny: a tiny random-weight Qwen3-VL exported from transformers (with and
/// without DeepStack) and the reference implementation's golden outputs (see its README).
/// </summary>
internal static class TinyQwenFixture
{
    public const string ImageMarker = "<|vision_start|><|image_pad|><|vision_end|>";
    public static string Root => Path.GetFullPath(Path.Combine(RealTokenizer.RepoRoot(), "..", "shared", "fixtures", "qwen3vl-tiny"));
    public static string ModelDir(bool deepStack) => Path.Combine(Root, deepStack ? "model" : "model-nodeepstack");

    private static readonly Lazy<Qwen3Tokenizer> Tok = new(() => Qwen3Tokenizer.Load(Path.Combine(ModelDir(true), "tokenizer.json")));
    public static Qwen3Tokenizer Tokenizer => Tok.Value;

    public static JsonElement Golden(string name) =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(Root, "golden", name + ".json"))).RootElement;

    public static int[] Ints(this JsonElement e) => e.EnumerateArray().Select(x => x.GetInt32()).ToArray();
    public static long[] Longs(this JsonElement e) => e.EnumerateArray().Select(x => x.GetInt64()).ToArray();

    /// <summary>The golden prompt text as the user's pieces: the system text, then text and image files in order.</summary>
    public static (string? System, List<object> Items) PromptParts(JsonElement golden)
    {
        var text = golden.GetProperty("prompt_text").GetString()!;
        string? system = null;
        const string sys = "<|im_start|>system\n", user = "<|im_start|>user\n", end = "<|im_end|>\n<|im_start|>assistant\n";
        if (text.StartsWith(sys))
        {
            int e = text.IndexOf("<|im_end|>", StringComparison.Ordinal);
            system = text[sys.Length..e];
        }
        int u = text.IndexOf(user, StringComparison.Ordinal) + user.Length;
        var body = text[u..text.LastIndexOf(end, StringComparison.Ordinal)];
        var files = golden.GetProperty("images").EnumerateArray().Select(i => Path.Combine(Root, i.GetProperty("file").GetString()!)).ToList();
        var items = new List<object>();
        var pieces = body.Split(ImageMarker);
        for (int i = 0; i < pieces.Length; i++)
        {
            if (pieces[i].Length > 0) items.Add(pieces[i]);
            if (i < pieces.Length - 1) items.Add(files[i]);
        }
        return (system, items);
    }

    public static PreprocessedImage Preprocess(string png, int maxPixels = 16_777_216)
    {
        var img = RgbImage.Load(png);
        return ImagePreprocessor.FromRgb(img.Pixels, img.Width, img.Height, maxPixels);
    }

    /// <summary>Reads a little-endian float32 .npy file (format version 1 or 2, C order).</summary>
    public static float[] ReadNpy(string path)
    {
        var b = File.ReadAllBytes(path);
        if (b[0] != 0x93 || Encoding.ASCII.GetString(b, 1, 5) != "NUMPY") throw new InvalidDataException($"{path} is not a .npy file");
        int headerLen = b[6] == 1 ? BitConverter.ToUInt16(b, 8) : BitConverter.ToInt32(b, 8);
        int start = (b[6] == 1 ? 10 : 12) + headerLen;
        var header = Encoding.ASCII.GetString(b, b[6] == 1 ? 10 : 12, headerLen);
        if (!header.Contains("'<f4'") || header.Contains("'fortran_order': True")) throw new InvalidDataException($"{path}: expected C-order <f4, got {header}");
        return System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(b.AsSpan(start)).ToArray();
    }
}
