using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using StreamWatch.Inference.Qwen3Vl;

namespace StreamWatch.Tests.Inference.Fixture;

/// <summary>
/// The acceptance test of the in-process runner against the reference implementation: the tiny
/// Qwen3-VL fixture's golden prompt ids, pixel values, M-RoPE positions, image grids, greedy tokens
/// (with and without DeepStack) and the prefill arg-max at every position (the only check that sees
/// a lost third DeepStack input, which is added after the last decoder layer).
/// </summary>
public sealed class FixtureAcceptanceTests
{
    public static TheoryData<string> Cases => new() { "a_two_images_352x224", "b_one_image_640x360", "c_text_only" };

    private static (Prompt Prompt, List<PreprocessedImage> Images) Build(JsonElement golden)
    {
        var (system, parts) = TinyQwenFixture.PromptParts(golden);
        var images = new List<PreprocessedImage>();
        var items = new List<PromptItem>();
        foreach (var p in parts)
        {
            var s = (string)p;
            if (s.StartsWith(TinyQwenFixture.Root) && s.EndsWith(".png"))
            {
                var img = TinyQwenFixture.Preprocess(s);
                images.Add(img);
                items.Add(new ImageItem(img.GridH / 2, img.GridW / 2));
            }
            else items.Add(new TextItem(s));
        }
        return (new PromptBuilder(TinyQwenFixture.Tokenizer).Build(system, items), images);
    }

    [Theory, MemberData(nameof(Cases))]
    public void Prompt_ids_positions_rope_delta_and_grids_equal_the_reference(string name)
    {
        var g = TinyQwenFixture.Golden(name);
        var (prompt, images) = Build(g);
        Assert.Equal(g.GetProperty("prompt_token_ids").Longs(), prompt.InputIds);
        var pos = g.GetProperty("position_ids").EnumerateArray().SelectMany(r => r.Longs()).ToArray();
        Assert.Equal(pos, prompt.PositionIds);
        Assert.Equal(g.GetProperty("rope_delta").GetInt64(), prompt.RopeDelta);
        var grids = g.GetProperty("image_grid_thw").EnumerateArray().Select(x => x.Ints()).ToList();
        Assert.Equal(grids.Count, images.Count);
        for (int i = 0; i < grids.Count; i++) Assert.Equal(grids[i], new[] { 1, images[i].GridH, images[i].GridW });
        Assert.Equal(g.GetProperty("image_blocks").EnumerateArray().Select(b => b.GetProperty("token_index").GetInt32()), prompt.ImageTokenStarts);
    }

    [Fact]
    public void Pixel_values_of_the_no_resize_case_match_within_1e_6()
    {
        var g = TinyQwenFixture.Golden("a_two_images_352x224");
        var want = TinyQwenFixture.ReadNpy(Path.Combine(TinyQwenFixture.Root, g.GetProperty("pixel_values").GetProperty("npy").GetString()!));
        var (_, images) = Build(g);
        var got = images.SelectMany(i => i.PixelValues).ToArray();
        Assert.Equal(616 * 1536, want.Length);
        Assert.Equal(want.Length, got.Length);
        double max = 0;
        for (int i = 0; i < want.Length; i++) max = Math.Max(max, Math.Abs(want[i] - got[i]));
        Assert.True(max <= 1e-6, $"max abs pixel_values difference {max}");
    }

    [Theory]
    [InlineData("a_two_images_352x224", true)]
    [InlineData("a_two_images_352x224", false)]
    [InlineData("b_one_image_640x360", true)]
    [InlineData("b_one_image_640x360", false)]
    [InlineData("c_text_only", true)]
    [InlineData("c_text_only", false)]
    public void Greedy_tokens_and_prefill_argmax_equal_the_reference(string name, bool deepStack)
    {
        var g = TinyQwenFixture.Golden(name);
        var (prompt, images) = Build(g);
        using var model = Qwen3VlModel.Load(TinyQwenFixture.ModelDir(deepStack), TestOrt.Runtime, TestOrt.Cpu, NullLogger.Instance);
        Assert.Equal(deepStack, model.HasDeepStack);
        int[]? argmax = null;
        var gen = new Qwen3VlGenerator(model, TinyQwenFixture.Tokenizer) { OnPrefillArgMax = a => argmax = a };
        var r = gen.Generate(prompt, images, null, g.GetProperty("max_new_tokens").GetInt32(), CancellationToken.None);
        Assert.Equal(g.GetProperty(deepStack ? "greedy_ids_deepstack" : "greedy_ids_nodeepstack").Ints(), r.TokenIds);
        Assert.Equal(StopReason.MaxTokens, r.Reason);
        Assert.Equal(g.GetProperty(deepStack ? "prefill_argmax_per_position" : "nodeepstack_prefill_argmax_per_position").Ints(), argmax);
        Assert.Equal(g.GetProperty(deepStack ? "greedy_text_deepstack" : "greedy_text_nodeepstack").GetString(), TinyQwenFixture.Tokenizer.Decode(r.TokenIds));
    }
}
