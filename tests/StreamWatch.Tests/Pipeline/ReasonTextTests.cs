using StreamWatch.Core.Alerts;
using StreamWatch.Core.Pipeline;

namespace StreamWatch.Tests.Pipeline;

/// <summary>The wire/log/metric text of the closed reason sets (docs/events.md, docs/mqtt.md, docs/metrics.md).</summary>
public class ReasonTextTests
{
    [Theory]
    [InlineData(CameraStateReason.Frames, "frames")]
    [InlineData(CameraStateReason.Starting, "starting")]
    [InlineData(CameraStateReason.Stopped, "stopped")]
    [InlineData(CameraStateReason.Ended, "ended")]
    [InlineData(CameraStateReason.Disconnected, "disconnected")]
    [InlineData(CameraStateReason.Stalled, "stalled")]
    [InlineData(CameraStateReason.FfmpegError, "ffmpeg_error")]
    [InlineData(CameraStateReason.BadStream, "bad_stream")]
    [InlineData(CameraStateReason.StartFailed, "start_failed")]
    [InlineData(CameraStateReason.Failed, "failed")]
    public void A_camera_state_reason_has_its_wire_text(CameraStateReason r, string text) => Assert.Equal(text, r.Text());

    [Fact]
    public void Every_camera_state_reason_has_its_own_text()
    {
        var texts = Enum.GetValues<CameraStateReason>().Select(r => r.Text()).ToList();
        Assert.Equal(texts.Count, texts.Distinct().Count());
        Assert.Throws<ArgumentOutOfRangeException>(() => ((CameraStateReason)99).Text());
    }

    [Theory]
    [InlineData(AlertReason.Unverified, "unverified")]
    [InlineData(AlertReason.Restart, "restart")]
    [InlineData(AlertReason.OwnerLost, "owner-lost")]
    public void An_alert_reason_has_its_wire_text(AlertReason r, string text) => Assert.Equal(text, r.Text());

    [Fact]
    public void The_camera_event_line_carries_the_reason_text()
    {
        var e = new CameraStateChanged("yard", new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero), TimeSpan.FromSeconds(3), false, CameraStateReason.FfmpegError);
        Assert.Contains("\"reason\":\"ffmpeg_error\"", EventJson.Format(e, wallClock: true));
    }
}
