using StreamWatch.Core.Pipeline;
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
        var off = h.OnStopped(T, TimeSpan.FromSeconds(2), CameraStateReason.Stalled);
        Assert.False(off!.Online);
        Assert.Equal(CameraStateReason.Stalled, off.Reason);
        Assert.Equal(TimeSpan.FromSeconds(2), off.Offset);
        Assert.Null(h.OnStopped(T, TimeSpan.FromSeconds(2), CameraStateReason.FfmpegError));
        Assert.True(h.OnFrame(T, TimeSpan.Zero)!.Online);
    }

    [Fact]
    public void ACameraThatNeverConnectsIsReportedOfflineOnce()
    {
        var h = new CameraHealth("cam1");
        Assert.Null(h.Online);
        Assert.Equal(CameraStateReason.StartFailed, h.OnStopped(T, TimeSpan.Zero, CameraStateReason.StartFailed)!.Reason);
        Assert.Null(h.OnStopped(T, TimeSpan.Zero, CameraStateReason.StartFailed));
    }
}
