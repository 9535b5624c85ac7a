using StreamWatch.Ingest;

namespace StreamWatch.Tests.Ingest;

public class UrlRedactorTests
{
    [Theory]
    [InlineData("rtsp://admin:s3cret@10.0.0.5:554/stream1", "rtsp://***@10.0.0.5:554/stream1")]
    [InlineData("rtsps://admin:s3cret@cam.local/live", "rtsps://***@cam.local/live")]
    [InlineData("http://user:pw@host/x.mjpg", "http://***@host/x.mjpg")]
    [InlineData("HTTPS://user:pw@host", "HTTPS://***@host")]
    [InlineData("rtsp://justuser@host/a", "rtsp://***@host/a")]
    [InlineData("rtsp://admin:p@ss@w0rd@host:554/a", "rtsp://***@host:554/a")]
    public void RemovesUserInfoFromUrls(string url, string expected) => Assert.Equal(expected, UrlRedactor.Redact(url));

    [Fact]
    public void RedactsUrlsInsideFfmpegStderrLines()
    {
        var line = "[rtsp @ 0x55d1] method DESCRIBE failed: 401 Unauthorized\nrtsp://admin:hunter2@127.0.0.1:8554/cam: Server returned 401 Unauthorized";
        var red = UrlRedactor.Redact(line);
        Assert.DoesNotContain("hunter2", red);
        Assert.DoesNotContain("admin", red);
        Assert.Contains("rtsp://***@127.0.0.1:8554/cam: Server returned 401", red);
    }

    [Fact]
    public void RedactsEveryUrlInACommandLine()
    {
        var cmd = "ffmpeg -i 'rtsp://a:one@h1/x' -i \"http://b:two@h2/y\" out";
        var red = UrlRedactor.Redact(cmd);
        Assert.Equal("ffmpeg -i 'rtsp://***@h1/x' -i \"http://***@h2/y\" out", red);
    }

    [Theory]
    [InlineData("rtsp://10.0.0.5:554/stream1")]
    [InlineData("rtsp://host/path?contact=ops@example.com")]
    [InlineData("mail ops@example.com about /srv/cams/a.mp4")]
    [InlineData("")]
    public void LeavesTextWithoutCredentialsAlone(string text) => Assert.Equal(text, UrlRedactor.Redact(text));
}
