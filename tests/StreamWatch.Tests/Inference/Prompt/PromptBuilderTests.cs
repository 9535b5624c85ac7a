using StreamWatch.Inference.Qwen3Vl;
using StreamWatch.Tests.Inference.Tokenizer;

namespace StreamWatch.Tests.Inference.Prompting;

public class PromptBuilderTests
{
    /// <summary>One token per char (id = char code), so positions are easy to count by hand.</summary>
    private sealed class CharTokenizer : ITokenizer
    {
        public int TokenCount => 151_936;
        public int[] Encode(string text) => text.Select(c => (int)c).ToArray();
        public string Decode(ReadOnlySpan<int> ids) => throw new NotSupportedException();
        public ReadOnlySpan<byte> TokenBytes(int id) => default;
        public bool IsSpecial(int id) => false;
    }

    [Fact]
    public void Reproduces_the_golden_chat_prompt_with_the_real_tokenizer()
    {
        var p = new PromptBuilder(RealTokenizer.Instance).Build("You are a camera monitor.",
            [new ImageItem(1, 2), new TextItem("Is anyone falling? Answer in JSON.")]);
        long[] expected = [151644, 8948, 198, 2610, 525, 264, 6249, 8718, 13, 151645, 198, 151644, 872, 198, 151652, 151655, 151655, 151653, 3872, 5489, 15679, 30, 21806, 304, 4718, 13, 151645, 198, 151644, 77091, 198];
        Assert.Equal(expected, p.InputIds);
        Assert.Equal([15], p.ImageTokenStarts);
        Assert.Equal(0, p.RopeDelta);                            // a 1×2 block: 2 tokens, max(1,2) = 2 positions
    }

    [Fact]
    public void MRope_positions_for_two_images_match_a_hand_count()
    {
        var p = new PromptBuilder(new CharTokenizer()).Build(null,
            [new TextItem("ab"), new ImageItem(2, 3), new TextItem("c"), new ImageItem(1, 1)]);
        const int seq = 33;
        Assert.Equal(seq, p.InputIds.Length);
        Assert.Equal([9, 18], p.ImageTokenStarts);
        long[] t = new long[seq], h = new long[seq], w = new long[seq];
        for (var i = 0; i <= 8; i++) t[i] = h[i] = w[i] = i;               // <|im_start|> "user\nab" <|vision_start|>
        for (var r = 0; r < 2; r++)
        for (var c = 0; c < 3; c++) { var i = 9 + r * 3 + c; t[i] = 9; h[i] = 9 + r; w[i] = 9 + c; }
        t[15] = h[15] = w[15] = 12;                                         // <|vision_end|> at s + max(2,3)
        t[16] = h[16] = w[16] = 13;                                         // "c"
        t[17] = h[17] = w[17] = 14;                                         // <|vision_start|>
        t[18] = h[18] = w[18] = 15;                                         // the 1×1 image
        for (var i = 19; i < seq; i++) t[i] = h[i] = w[i] = i - 3;          // <|vision_end|> <|im_end|> "\n" <|im_start|> "assistant\n"
        Assert.Equal(t.Concat(h).Concat(w).ToArray(), p.PositionIds);
        Assert.Equal(-3, p.RopeDelta);
        Assert.Equal(30, PromptBuilder.DecodePosition(seq, p.RopeDelta));   // first generated token follows the max position 29
        Assert.Equal(QwenTokens.VisionStart, p.InputIds[8]);
        Assert.Equal(QwenTokens.VisionEnd, p.InputIds[15]);
    }

    [Fact]
    public void Rope_delta_is_negative_for_a_640x480_frame()
    {
        var img = new ImageItem(480 / 32, 640 / 32);                       // 15×20 = 300 tokens, 20 positions
        var p = new PromptBuilder(new CharTokenizer()).Build("s", [img, new TextItem("q")]);
        Assert.Equal(-280, p.RopeDelta);
        Assert.Equal(300, p.InputIds.Count(id => id == QwenTokens.ImagePad));
    }

    [Fact]
    public void Keyframe_items_label_each_image_with_its_offset()
    {
        var img = new PreprocessedImage(new float[4 * 1536], 2, 2);
        var items = PromptBuilder.KeyframeItems([(TimeSpan.FromMilliseconds(3400), img), (TimeSpan.FromSeconds(61), img)], "Q?");
        Assert.Equal([new TextItem("t=00:00:03.400"), new ImageItem(1, 1), new TextItem("t=00:01:01.000"), new ImageItem(1, 1), new TextItem("Q?")], items);
    }
}
