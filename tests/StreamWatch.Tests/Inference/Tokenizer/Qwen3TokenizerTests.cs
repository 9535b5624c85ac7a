using System.Text;
using StreamWatch.Inference.Qwen3Vl;

namespace StreamWatch.Tests.Inference.Tokenizer;

public class Qwen3TokenizerTests
{
    private static Qwen3Tokenizer Tok => RealTokenizer.Instance;

    [Theory]
    [InlineData("<|im_start|>system\nYou are a camera monitor.<|im_end|>\n<|im_start|>user\n<|vision_start|><|image_pad|><|image_pad|><|vision_end|>Is anyone falling? Answer in JSON.<|im_end|>\n<|im_start|>assistant\n",
        new[] { 151644, 8948, 198, 2610, 525, 264, 6249, 8718, 13, 151645, 198, 151644, 872, 198, 151652, 151655, 151655, 151653, 3872, 5489, 15679, 30, 21806, 304, 4718, 13, 151645, 198, 151644, 77091, 198 })]
    [InlineData("Hello, world! 12345 h\u00e9llo  \n\n  tabs\tend",
        new[] { 9707, 11, 1879, 0, 220, 16, 17, 18, 19, 20, 305, 18503, 385, 18611, 220, 22398, 6246 })]
    [InlineData("<0.5 seconds><|vision_start|><|video_pad|><|vision_end|>", new[] { 27, 15, 13, 20, 6486, 29, 151652, 151656, 151653 })]
    [InlineData("{\"anomaly\": true, \"confidence\": 0.93}", new[] { 4913, 276, 83092, 788, 830, 11, 330, 81929, 788, 220, 15, 13, 24, 18, 92 })]
    public void Encodes_the_golden_vectors(string text, int[] expected)
    {
        Assert.Equal(expected, Tok.Encode(text));
        Assert.Equal(text.Normalize(NormalizationForm.FormC), Tok.Decode(expected));
    }

    [Fact]
    public void Decomposed_accents_are_composed_to_NFC_before_splitting()
    {
        // "h" + "e" + U+0301 (combining acute) must encode exactly like the precomposed "héllo" of the golden vector
        Assert.Equal(Tok.Encode(" h\u00e9llo"), Tok.Encode(" he\u0301llo"));
        Assert.Equal(new[] { 305, 18503, 385 }, Tok.Encode(" he\u0301llo"));
    }

    [Fact]
    public void Vocabulary_shape_and_special_tokens()
    {
        Assert.Equal(151_936, Tok.TokenCount);
        Assert.True(Tok.IsSpecial(151645));
        Assert.True(Tok.TokenBytes(151645).IsEmpty);
        Assert.True(Tok.TokenBytes(151_700).IsEmpty);      // padding row
        Assert.Equal(" "u8.ToArray(), Tok.TokenBytes(220).ToArray());
        Assert.Equal("\n"u8.ToArray(), Tok.TokenBytes(198).ToArray());
        Assert.Equal(151655, Tok.AddedTokenId("<|image_pad|>"));
    }

    [Fact]
    public void Round_trips_arbitrary_text_including_emoji_and_cjk()
    {
        const string text = "Kamera 3: 人が倒れた 😀 — \"x\"\r\n\t  {\"a\":[1,2]}  ";
        Assert.Equal(text, Tok.Decode(Tok.Encode(text)));
    }

    [Fact]
    public void Rejects_a_file_that_is_not_a_tokenizer()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, "{\"model\": {\"type\": \"Unigram\"}}");
            Assert.Throws<InvalidDataException>(() => Qwen3Tokenizer.Load(path));
        }
        finally { File.Delete(path); }
    }
}
