using StreamWatch.Ingest;

namespace StreamWatch.Tests.Ingest;

public class CameraHealthTests
{
    private static readonly DateTimeOffset T = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void ReportsEachChangeOnce()
    {
        var h = new CameraHealth("cam1");
        var on = h.OnFrame(T, TimeSpan.FromSeconds(1));
        Assert.NotNull(on);
        Assert.True(on!.Online);
        Assert.Equal("cam1", on.Camera);
        Assert.Null(h.OnFrame(T, TimeSpan.FromSeconds(2)));
        var off = h.OnStopped(T, TimeSpan.FromSeconds(2), "stalled");
        Assert.False(off!.Online);
        Assert.Equal("stalled", off.Reason);
        Assert.Equal(TimeSpan.FromSeconds(2), off.Offset);
        Assert.Null(h.OnStopped(T, TimeSpan.FromSeconds(2), "ffmpeg_error"));
        Assert.True(h.OnFrame(T, TimeSpan.Zero)!.Online);
    }

    [Fact]
    public void ACameraThatNeverConnectsIsReportedOfflineOnce()
    {
        var h = new CameraHealth("cam1");
        Assert.Null(h.Online);
        Assert.Equal("start_failed", h.OnStopped(T, TimeSpan.Zero, "start_failed")!.Reason);
        Assert.Null(h.OnStopped(T, TimeSpan.Zero, "start_failed"));
    }
}
