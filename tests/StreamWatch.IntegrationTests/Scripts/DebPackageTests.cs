using StreamWatch.IntegrationTests.Support;

namespace StreamWatch.IntegrationTests.Scripts;

/// <summary>
/// Builds the .deb with scripts/package-deb.sh, installs it with dpkg, uses `streamwatch` through PATH
/// and purges it again. Installs into the system: needs root (or password-less sudo).
/// </summary>
public class DebPackageTests
{
    private static readonly TimeSpan Slow = TimeSpan.FromMinutes(15);

    private static async Task<(int Code, string Output)> RunAsync(string file, IEnumerable<string> args, TimeSpan timeout, bool asRoot = false)
    {
        if (asRoot && Environment.UserName != "root") { args = ["-n", file, .. args]; file = "sudo"; }
        await using var p = ChildProcess.Start(file, args);
        var code = await p.WaitExitAsync(timeout);
        return (code, p.Output);
    }

    private static async Task<string> OkAsync(string file, IEnumerable<string> args, TimeSpan timeout, bool asRoot = false)
    {
        var (code, output) = await RunAsync(file, args, timeout, asRoot);
        Assert.True(code == 0, $"{file} {string.Join(' ', args)} exited {code}:\n{output}");
        return output;
    }

    [Fact]
    public async Task ThePackageInstallsRunsFromPathAndPurgesClean()
    {
        var dir = Repo.TempDir("deb");
        var built = await OkAsync(Path.Combine(Repo.Root, "scripts", "package-deb.sh"), [dir], Slow);
        var deb = built.Trim().Split('\n')[^1];
        Assert.EndsWith("_amd64.deb", deb);
        var contents = await OkAsync("dpkg-deb", ["--contents", deb], TimeSpan.FromMinutes(2));
        Assert.Contains("./usr/lib/streamwatch/streamwatch", contents);
        Assert.Contains("./lib/systemd/system/streamwatch.service", contents);
        Assert.Equal("/etc/streamwatch/streamwatch.json", (await OkAsync("dpkg-deb", ["--info", deb, "conffiles"], TimeSpan.FromMinutes(1))).Trim());

        try
        {
            await OkAsync("dpkg", ["-i", deb], TimeSpan.FromMinutes(5), asRoot: true);
            Assert.Contains("streamwatch:", await OkAsync("getent", ["passwd", "streamwatch"], TimeSpan.FromSeconds(30)));
            Assert.Equal(Convert.ToInt32("700", 8), (int)File.GetUnixFileMode("/var/lib/streamwatch"));

            var version = await OkAsync("streamwatch", ["--version"], TimeSpan.FromMinutes(1)); // found through PATH
            Assert.Matches(@"^streamwatch \d+\.\d+\.\d+", version.Trim());
            var clip = await TestClips.MovingBoxAsync(dir, seconds: 4, enterS: 1);
            var replay = await OkAsync("streamwatch", ["replay", clip], TimeSpan.FromMinutes(3));
            Assert.Contains(replay.Split('\n'), l => l.StartsWith('{'));
        }
        finally
        {
            await RunAsync("dpkg", ["--purge", "streamwatch"], TimeSpan.FromMinutes(5), asRoot: true);
        }
        Assert.False(File.Exists("/usr/bin/streamwatch") || Directory.Exists("/usr/lib/streamwatch") || Directory.Exists("/var/lib/streamwatch") || File.Exists("/etc/streamwatch/streamwatch.json"));
        Assert.NotEqual(0, (await RunAsync("getent", ["passwd", "streamwatch"], TimeSpan.FromSeconds(30))).Code);
        Directory.Delete(dir, true);
    }
}
