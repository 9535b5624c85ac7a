using StreamWatch.IntegrationTests.Support;

namespace StreamWatch.IntegrationTests.Config;

/// <summary>The real executable on configurations a user gets wrong: exit 78, the key's full path, no value, no stack trace.</summary>
public sealed class ConfigFaultTests : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(90);
    private readonly string _dir = Repo.TempDir("configfault");

    public void Dispose() => Directory.Delete(_dir, true);

    private async Task<(int Code, string Output)> RunAsync(string json)
    {
        var config = Path.Combine(_dir, $"{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(config, json);
        await using var p = ChildProcess.Start("dotnet", new[] { Repo.DaemonDll, "run", "--config", config }, workDir: _dir);
        var code = await p.WaitExitAsync(Wait);
        return (code, p.Output);
    }

    private static void AssertConfigError(int code, string output, string key)
    {
        Assert.True(code == 78, $"exit {code}:\n{output}");
        Assert.Contains($"\n  {key}: ", output.ReplaceLineEndings("\n"));
        Assert.DoesNotContain("   at ", output); // no stack trace
    }

    [Fact]
    public async Task An_object_where_a_string_belongs_names_the_key_and_not_the_value()
    {
        var (code, output) = await RunAsync("""{"Mqtt": {"Enabled": true, "Username": "u", "Password": {"secret": "hunter2"}}}""");
        AssertConfigError(code, output, "Mqtt:Password");
        Assert.DoesNotContain("hunter2", output);
    }
}
