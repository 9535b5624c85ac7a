using System.Globalization;
using System.Text.RegularExpressions;
using StreamWatch.Cli;
using StreamWatch.Tests.Inference.Fixture;

namespace StreamWatch.Tests.Inference.Bench;

/// <summary><c>streamwatch bench model</c> runs end to end on CPU and prints its three figures (no timing asserts).</summary>
public sealed class BenchVerbTests
{
    private static async Task<(int Code, string Stdout, string Stderr)> Invoke(params string[] args)
    {
        var (o, e) = (new StringWriter(), new StringWriter());
        int code = await StreamWatchCli.InvokeAsync(args, o, e);
        return (code, o.ToString(), e.ToString());
    }

    private static double Figure(string stdout, string label)
    {
        var m = Regex.Match(stdout, $@"^{label}: ([0-9.]+) ms", RegexOptions.Multiline);
        Assert.True(m.Success, $"no '{label}:' figure in:\n{stdout}");
        return double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
    }

    private static void AssertThreeFigures(string stdout)
    {
        Assert.True(Figure(stdout, "vision") > 0);
        Assert.True(Figure(stdout, "prefill") > 0);
        Assert.True(Figure(stdout, "decode") > 0);
    }

    [Fact]
    public async Task Shape_2b_with_one_layer_writes_the_real_widths_runs_and_removes_its_graphs()
    {
        var (code, stdout, stderr) = await Invoke("bench", "model", "--shape", "2b", "--layers", "1", "--tokens", "2");
        Assert.True(code == 0, stderr);
        Assert.Contains("hidden 2048, 16 q / 8 kv heads of 128, MLP 6144, vocab 151936", stdout);
        Assert.Contains("provider: cpu, 1 decoder layers, prompt ", stdout);
        Assert.Contains("(252 image tokens)", stdout); // 672×384 → 42×24 patches → 21×12 merged
        AssertThreeFigures(stdout);
        Assert.Contains("(2 tokens)", stdout);
        var dir = Regex.Match(stdout, @"written to (\S+) in").Groups[1].Value;
        Assert.StartsWith(Path.GetTempPath().TrimEnd('/'), dir);
        Assert.False(Directory.Exists(dir), $"{dir} was left behind");
    }

    [Fact]
    public async Task An_export_folder_is_timed_as_it_is()
    {
        var (code, stdout, stderr) = await Invoke("bench", "model", TinyQwenFixture.ModelDir(true), "--tokens", "3");
        Assert.True(code == 0, stderr);
        Assert.Contains("provider: cpu, 3 decoder layers", stdout);
        Assert.DoesNotContain("graph:", stdout);
        AssertThreeFigures(stdout);
    }

    [Theory]
    [InlineData("bench", "model")]
    [InlineData("bench", "model", "--shape", "3b")]
    [InlineData("bench", "model", "--shape", "2b", "--layers", "29")]
    public async Task Wrong_words_exit_64_naming_the_problem(params string[] args)
    {
        var (code, _, stderr) = await Invoke(args);
        Assert.Equal(64, code);
        Assert.Matches("DIR or --shape|must be 2b or 4b|--layers must be 1..28", stderr);
    }
}
