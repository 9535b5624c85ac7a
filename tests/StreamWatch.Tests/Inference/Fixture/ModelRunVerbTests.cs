using System.Text.Json;
using StreamWatch.Cli;

namespace StreamWatch.Tests.Inference.Fixture;

/// <summary><c>streamwatch model run</c> reproduces the fixture's reference cases through the command line.</summary>
public sealed class ModelRunVerbTests
{
    private static async Task<(int Code, string Stdout, string Stderr)> Invoke(params string[] args)
    {
        var (o, e) = (new StringWriter(), new StringWriter());
        int code = await StreamWatchCli.InvokeAsync(args, o, e);
        return (code, o.ToString(), e.ToString());
    }

    [Theory]
    [InlineData("a_two_images_352x224")]
    [InlineData("b_one_image_640x360")]
    public async Task Fixture_cases_reproduce_through_the_verb(string name)
    {
        var g = TinyQwenFixture.Golden(name);
        var (system, parts) = TinyQwenFixture.PromptParts(g);
        var items = parts.Select(p => (string)p).Select(p => p.StartsWith(TinyQwenFixture.Root) ? "@" + p : p);
        var (code, stdout, stderr) = await Invoke(["model", "run", TinyQwenFixture.ModelDir(true), "--system", system!,
            "--max-tokens", g.GetProperty("max_new_tokens").GetInt32().ToString(), .. items]);
        Assert.True(code == 0, stderr);
        var r = JsonDocument.Parse(stdout).RootElement;
        Assert.Equal(["prompt_ids", "ids", "text"], r.EnumerateObject().Select(p => p.Name));
        Assert.Equal(g.GetProperty("prompt_token_ids").Longs(), r.GetProperty("prompt_ids").Longs());
        Assert.Equal(g.GetProperty("greedy_ids_deepstack").Ints(), r.GetProperty("ids").Ints());
        Assert.Equal(g.GetProperty("greedy_text_deepstack").GetString(), r.GetProperty("text").GetString());
    }

    [Fact]
    public async Task Max_pixels_overrides_the_folder_limits()
    {
        var png = Path.Combine(TinyQwenFixture.Root, "images", "b_t3_640x360.png");
        var (code, stdout, stderr) = await Invoke("model", "run", TinyQwenFixture.ModelDir(false), "--max-tokens", "1", "--max-pixels", "65536", "@" + png);
        Assert.True(code == 0, stderr);
        var ids = JsonDocument.Parse(stdout).RootElement.GetProperty("prompt_ids").Longs();
        // 640×360 capped at 65 536 pixels becomes 320×192: 10×6 = 60 image tokens (220 with the folder's limits)
        Assert.Equal(60, ids.Count(id => id == 151655));
    }

    [Fact]
    public async Task A_missing_image_is_a_clear_error()
    {
        var (code, stdout, stderr) = await Invoke("model", "run", TinyQwenFixture.ModelDir(true), "@/nonexistent/frame.png");
        Assert.Equal(1, code);
        Assert.Equal("", stdout);
        Assert.Contains("/nonexistent/frame.png", stderr);
    }
}
