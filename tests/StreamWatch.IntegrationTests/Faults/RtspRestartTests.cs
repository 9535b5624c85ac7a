using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using StreamWatch.IntegrationTests.Daemon;
using StreamWatch.IntegrationTests.Support;
using Xunit.Abstractions;

namespace StreamWatch.IntegrationTests.Faults;

/// <summary>Tests whose pass/fail criterion is a resume time: they run alone, not beside other test classes.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class FaultsCollection { public const string Name = "faults"; }

/// <summary>
/// Issue 6: the RTSP server killed and restarted 20 times during a run — every camera resumes within
/// 5 s of the server's return and the daemon never exits. The real daemon, real ffmpeg, the GStreamer
/// RTSP server; resume time = the server's READY line → the camera's "online" log line.
/// </summary>
[Collection(FaultsCollection.Name)]
public class RtspRestartTests(ITestOutputHelper output)
{
    private static readonly string[] Names = ["north", "south", "east", "west"];
    private const int Cycles = 20;
    private static readonly TimeSpan Resume = TimeSpan.FromSeconds(5); // the requirement, not a wait
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    /// <summary>How long the server stays down in a cycle: 0.5–3 s in 20 even steps, shuffled (7 is coprime to 20).</summary>
    internal static TimeSpan Downtime(int cycle) => TimeSpan.FromSeconds(0.5 + cycle * 7 % Cycles * 2.5 / (Cycles - 1));

    private static string Online(string camera) => $"camera {camera} online: ";
    private static string Offline(string camera) => $"camera {camera} offline: ";

    /// <summary>When the next matching line arrives (monotonic timestamp); registers its waiter at once.</summary>
    private static async Task<long> NextLineAt(ChildProcess p, string pattern)
    {
        await p.WaitForLineAsync(pattern, Wait, occurrence: p.CountLines(pattern) + 1);
        return Stopwatch.GetTimestamp();
    }

    [Fact]
    public async Task Twenty_server_restarts_every_camera_resumes_within_5_s_and_the_daemon_stays_up()
    {
        await using var server = await RtspServer.StartAsync();
        var cameras = "[" + string.Join(",", Names.Select(n =>
            $$"""{"Name": "{{n}}", "Url": "{{server.Url()}}", "AnalysisFps": 5}""")) + "]";
        await using var daemon = await DaemonProcess.StartAsync(cameras);
        var p = daemon.Process;
        foreach (var n in Names) await p.WaitForLineAsync(Online(n), Wait);

        var resumes = new List<TimeSpan>();
        for (var cycle = 0; cycle < Cycles; cycle++)
        {
            var offline = Names.Select(n => NextLineAt(p, Offline(n))).ToArray();
            var killed = Stopwatch.GetTimestamp();
            await server.StopAsync(); // SIGKILL
            var offAt = await Task.WhenAll(offline); // every camera noticed (TCP close, else the watchdog)
            await Task.Delay(Downtime(cycle)); // scenario: the server stays away this long

            var online = Names.Select(n => NextLineAt(p, Online(n))).ToArray();
            await server.StartAgainAsync(); // returns at its READY line (and the port accepting)
            var ready = Stopwatch.GetTimestamp();
            var onAt = await Task.WhenAll(online); // every camera came back (or a timeout fails the test)
            Assert.False(p.HasExited, $"the daemon exited in cycle {cycle}:\n{p.Tail()}");

            var times = Names.Select((n, i) => (Camera: n, Resume: Stopwatch.GetElapsedTime(ready, onAt[i]))).ToList();
            resumes.AddRange(times.Select(t => t.Resume));
            var each = string.Join(", ", times.Select(t => FormattableString.Invariant($"{t.Camera} {t.Resume.TotalSeconds:0.00} s")));
            output.WriteLine(FormattableString.Invariant(
                $"cycle {cycle,2}: down {Downtime(cycle).TotalSeconds:0.00} s, all offline after {Stopwatch.GetElapsedTime(killed, offAt.Max()).TotalSeconds:0.00} s, resumed {each}"));
            Assert.True(times.All(t => t.Resume <= Resume), $"cycle {cycle}: a camera resumed later than {Resume.TotalSeconds} s after the server's return: {each}");
        }

        var sorted = resumes.Select(r => r.TotalSeconds).Order().ToList();
        output.WriteLine(FormattableString.Invariant(
            $"resume over {sorted.Count}: min {sorted[0]:0.00} s, median {sorted[sorted.Count / 2]:0.00} s, max {sorted[^1]:0.00} s"));

        var metrics = (await daemon.GetAsync("metrics")).Body;
        foreach (var n in Names)
        {
            Assert.True(Sum(metrics, "streamwatch_stream_errors_total", n) >= Cycles, $"stream errors of {n}:\n{metrics}");
            Assert.True(Sum(metrics, "streamwatch_ffmpeg_restarts_total", n) >= Cycles, $"ffmpeg restarts of {n}");
            Assert.Equal(1, Sum(metrics, "streamwatch_camera_up", n));
        }
        Assert.Equal(Names.Length, Regex.Count((await daemon.GetAsync("api/status")).Body, "\"state\":\"online\""));
        Assert.Equal(0, await daemon.StopAsync());
    }

    /// <summary>The sum of a metric family's samples for one camera (over its other labels).</summary>
    private static double Sum(string scrape, string family, string camera) =>
        Regex.Matches(scrape, $"^{family}\\{{([^}}]*)\\}} (\\S+)$", RegexOptions.Multiline)
            .Where(m => m.Groups[1].Value.Contains($"camera=\"{camera}\""))
            .Sum(m => double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture));
}
