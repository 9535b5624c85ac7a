using System.Text;
using StreamWatch.Core.Frames;

namespace StreamWatch.Inference.Qwen3Vl;

/// <summary>Special token ids of Qwen3-VL (spec §2).</summary>
public static class QwenTokens
{
    public const int EndOfText = 151643, ImStart = 151644, ImEnd = 151645;
    public const int VisionStart = 151652, VisionEnd = 151653, ImagePad = 151655;
    public static bool IsStop(int id) => id is ImEnd or EndOfText;
}

/// <summary>
/// Builds the Instruct ChatML prompt (system turn only when given; user items in order; then the
/// assistant header) with token ids spliced directly, plus M-RoPE position ids (spec §3).
/// Text between special tokens is tokenised as one piece, as the chat template renders it.
/// </summary>
public sealed class PromptBuilder(ITokenizer tokenizer)
{
    /// <summary>Our convention: a label before each keyframe image.</summary>
    public static string KeyframeLabel(TimeSpan offset) => "t=" + Timecode.Offset(offset);

    /// <summary>Position (all three rows) of the token at absolute index <paramref name="n"/> while decoding.</summary>
    public static long DecodePosition(long n, long ropeDelta) => n + ropeDelta;

    /// <summary>Items for keyframes: each image preceded by its timestamp label, then the question.</summary>
    public static List<PromptItem> KeyframeItems(IEnumerable<(TimeSpan Offset, PreprocessedImage Image)> frames, string question)
    {
        var items = new List<PromptItem>();
        foreach (var (offset, image) in frames)
        {
            items.Add(new TextItem(KeyframeLabel(offset)));
            items.Add(new ImageItem(image.GridH / 2, image.GridW / 2));
        }
        items.Add(new TextItem(question));
        return items;
    }

    public Prompt Build(string? system, IReadOnlyList<PromptItem> userItems)
    {
        var ids = new List<long>(256);
        var images = new List<(int Start, int H, int W)>();
        var text = new StringBuilder();
        void Flush()
        {
            if (text.Length == 0) return;
            foreach (var id in tokenizer.Encode(text.ToString())) ids.Add(id);
            text.Clear();
        }
        void Special(int id) { Flush(); ids.Add(id); }

        if (!string.IsNullOrEmpty(system))
        {
            Special(QwenTokens.ImStart);
            text.Append("system\n").Append(system);
            Special(QwenTokens.ImEnd);
            text.Append('\n');
        }
        Special(QwenTokens.ImStart);
        text.Append("user\n");
        foreach (var item in userItems)
        {
            switch (item)
            {
                case TextItem t: text.Append(t.Text); break;
                case ImageItem img:
                    if (img.MergedH <= 0 || img.MergedW <= 0) throw new ArgumentException($"image grid {img.MergedH}x{img.MergedW} is empty");
                    Special(QwenTokens.VisionStart);
                    images.Add((ids.Count, img.MergedH, img.MergedW));
                    for (var i = 0; i < img.MergedH * img.MergedW; i++) ids.Add(QwenTokens.ImagePad);
                    ids.Add(QwenTokens.VisionEnd);
                    break;
                default: throw new ArgumentException($"unknown prompt item {item.GetType().Name}");
            }
        }
        Special(QwenTokens.ImEnd);
        text.Append('\n');
        Special(QwenTokens.ImStart);
        text.Append("assistant\n");
        Flush();
        return WithPositions(ids.ToArray(), images);
    }

    private static Prompt WithPositions(long[] ids, List<(int Start, int H, int W)> images)
    {
        int seq = ids.Length;
        var pos = new long[3 * seq];
        long p = 0, max = -1;
        var next = 0;
        for (var i = 0; i < seq;)
        {
            if (next < images.Count && images[next].Start == i)
            {
                var (_, h, w) = images[next++];
                for (var r = 0; r < h; r++)
                for (var c = 0; c < w; c++, i++)
                {
                    pos[i] = p; pos[seq + i] = p + r; pos[2 * seq + i] = p + c;
                }
                max = Math.Max(max, p + Math.Max(h, w) - 1);
                p += Math.Max(h, w);
                continue;
            }
            pos[i] = pos[seq + i] = pos[2 * seq + i] = p;
            max = Math.Max(max, p);
            p++; i++;
        }
        return new Prompt(ids, pos, max + 1 - seq, images.Select(x => x.Start).ToArray());
    }
}
