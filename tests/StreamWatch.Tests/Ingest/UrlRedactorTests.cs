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
    [InlineData("rtsp://cam/x?user=admin&password=hunter2", "rtsp://cam/x?user=admin&password=***")]
    [InlineData("rtsp://cam/x?PassWord=hunter2&channel=1", "rtsp://cam/x?PassWord=***&channel=1")]
    [InlineData("http://cam/snap.cgi?pwd=hunter2", "http://cam/snap.cgi?pwd=***")]
    [InlineData("http://cam/a?pass=hunter2;token=t0k", "http://cam/a?pass=***;token=***")]
    [InlineData("https://h/s?KEY=k3y&auth=a1&api_key=x&access_token=y", "https://h/s?KEY=***&auth=***&api_key=***&access_token=***")]
    [InlineData("rtsp://u:p@cam/x?password=hunter2: Server returned 401", "rtsp://***@cam/x?password=*** Server returned 401")] // a value runs to whitespace
    [InlineData("-i 'rtsp://cam/x?token=abc' -map", "-i 'rtsp://cam/x?token=***' -map")]
    public void RemovesSecretQueryParameters(string text, string expected) => Assert.Equal(expected, UrlRedactor.Redact(text));

    [Theory]
    [InlineData("rtsp://10.0.0.5:554/stream1")]
    [InlineData("rtsp://host/live?channel=1&subtype=0")]
    [InlineData("rtsp://host/path?contact=ops@example.com")]
    [InlineData("mail ops@example.com about /srv/cams/a.mp4")]
    [InlineData("")]
    public void LeavesTextWithoutCredentialsAlone(string text) => Assert.Equal(text, UrlRedactor.Redact(text));
}
