using System.Text.RegularExpressions;
using StreamWatch.IntegrationTests.Support;

namespace StreamWatch.IntegrationTests.Daemon;

/// <summary>A camera that comes back with another aspect ratio gets a new pipeline; its open alerts end.</summary>
public class FrameSizeChangeTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task An_alert_open_when_the_camera_changes_size_ends_instead_of_staying_open()
    {
        await using var server = await RtspServer.StartAsync(); // 640×360, testsrc2 (always moving)
        var cameras = $$"""
            [{"Name": "porch", "Url": "{{server.Url()}}", "AnalysisFps": 5,
              "Rules": [{"Name": "any", "Type": "motion", "EndAfterSeconds": 600, "CooldownSeconds": 0}]}]
            """;
        await using var daemon = await DaemonProcess.StartAsync(cameras);
        var p = daemon.Process;
        await p.WaitForLineAsync("ALERT new any on porch ", Wait);
        var id = Regex.Match(p.Output, @"ALERT new any on porch .*?\(id ([^,]+),").Groups[1].Value;
        Assert.Matches(@"^porch-any-\d{8}T\d{6}Z-1$", id);   // the one id format (docs/mqtt.md), as replay's

        await server.StopAsync();
        await p.WaitForLineAsync("camera porch offline: ", Wait);
        await server.StartAgainAsync(480, 360); // reconfigured to 4:3
        await p.WaitForLineAsync("camera porch online: ", Wait, occurrence: 2);

        // EndAfterSeconds is 600 s: only the size change can end it now.
        await p.WaitForLineAsync($@"ALERT end any on porch .*\(id {Regex.Escape(id)},", Wait);
        Assert.Matches(@"camera porch: frame size changed from 640x360 to \d+x\d+; ending 1 open alerts", p.Output);
        await p.WaitForLineAsync("ALERT new any on porch ", Wait, occurrence: 2); // the new pipeline carries on
        Assert.Equal(0, await daemon.StopAsync());
    }
}
