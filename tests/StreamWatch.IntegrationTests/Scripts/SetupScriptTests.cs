using StreamWatch.IntegrationTests.Support;

namespace StreamWatch.IntegrationTests.Scripts;

/// <summary>
/// scripts/setup.sh with stand-ins for the system's package and service managers first on PATH:
/// dpkg-query reports every package missing, apt-get and systemctl only record how they were called,
/// and systemctl says every service is running (as the user's own mosquitto and prometheus would).
/// </summary>
public class SetupScriptTests
{
    [Fact]
    public async Task SetupSaysWhatItInstallsFirstAndStopsNoRunningService()
    {
        var bin = Repo.TempDir("setup-fakes");
        var calls = Path.Combine(bin, "calls.log");
        void Fake(string name, string body)
        {
            var f = Path.Combine(bin, name);
            File.WriteAllText(f, $"#!/bin/sh\necho \"{name} $*\" >> '{calls}'\n{body}\n");
            File.SetUnixFileMode(f, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        Fake("dpkg-query", "exit 1");
        Fake("apt-get", "exit 0");
        Fake("systemctl", "exit 0");
        var env = new Dictionary<string, string?> { ["PATH"] = $"{bin}:{Environment.GetEnvironmentVariable("PATH")}" };
        // the script's own output goes to the same file as the calls, so their order shows
        await using var p = ChildProcess.Start("bash", ["-c", $"'{Repo.Root}/scripts/setup.sh' >> '{calls}' 2>&1"], env: env);
        Assert.Equal(0, await p.WaitExitAsync(TimeSpan.FromSeconds(120)));

        var log = await File.ReadAllTextAsync(calls);
        var lines = log.Split('\n');
        var said = Array.FindIndex(lines, l => l.StartsWith("setup: installing with apt-get: ffmpeg mosquitto"));
        var installed = Array.FindIndex(lines, l => l.StartsWith("apt-get ") && l.Contains(" install "));
        Assert.True(said >= 0 && installed > said, log);
        Assert.DoesNotContain("systemctl stop", log);
        Assert.DoesNotContain("systemctl disable", log);
    }
}
