using StreamWatch.Indexing;

namespace StreamWatch.Tests.Indexing;

/// <summary>The pure parts of `streamwatch index`: camera names, timeline clocks, the progress line.</summary>
public class IndexPartsTests
{
    [Theory]
    [InlineData("/videos/Front door 2026.mp4", "Front-door-2026")]
    [InlineData("lobby_cam.mkv", "lobby_cam")]
    [InlineData("/tmp/ääh.mp4", "h")]
    [InlineData("/tmp/.mp4", "video")]
    public void A_video_becomes_a_camera_named_after_its_file(string file, string name)
    {
        Assert.Equal(name, IndexCommand.CameraName(file));
        var camera = IndexCommand.CameraFor(file, "sports");
        Assert.Equal(name, camera.Name);
        var rule = Assert.Single(camera.Rules);
        Assert.Equal((StreamWatch.Core.Config.RuleType.Motion, "sports"), (rule.Type, rule.Profile));
    }

    [Theory]
    [InlineData(0, "00:00:00.000")]
    [InlineData(2.6, "00:00:02.600")]
    [InlineData(3725.042, "01:02:05.042")]
    [InlineData(360000.5, "100:00:00.500")]
    public void Timeline_offsets_are_hh_mm_ss_mmm(double seconds, string clock) =>
        Assert.Equal(clock, TimelineEntry.Clock(TimeSpan.FromMilliseconds(Math.Round(seconds * 1000))));

    [Fact]
    public void The_progress_line_shows_share_position_and_eta()
    {
        Assert.Equal("[#####...............]  25%  00:00:30/00:02:00  ETA 00:00:30",
            ProgressBar.Line(TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(2), TimeSpan.FromSeconds(10)));
        Assert.Equal("[....................]   0%  00:00:00/00:02:00  ETA --:--:--",
            ProgressBar.Line(TimeSpan.Zero, TimeSpan.FromMinutes(2), TimeSpan.FromSeconds(1)));
        Assert.StartsWith("[####################] 100%", ProgressBar.Line(TimeSpan.FromMinutes(3), TimeSpan.FromMinutes(2), TimeSpan.FromSeconds(1)));
    }
}
