using StreamWatch.Core.Config;
using StreamWatch.Ingest;

namespace StreamWatch.Tests.Ingest;

public class FfmpegArgumentsTests
{
    private static CameraOptions Cam(string url, Action<CameraOptions>? set = null)
    {
        var c = new CameraOptions { Name = "c", Url = url };
        set?.Invoke(c);
        return c;
    }

    private static string Line(CameraOptions c, bool replay = false) => string.Join(' ', FfmpegArguments.Build(c, replay));

    [Fact]
    public void RtspUsesTcpWithASocketTimeoutAndWritesY4mAtTheAnalysisRate()
    {
        var args = FfmpegArguments.Build(Cam("rtsp://u:p@cam/1", c => { c.AnalysisFps = 5; c.StallTimeoutSeconds = 10; }), false);
        Assert.Equal(
            "-nostdin -hide_banner -nostats -loglevel warning -thread_type slice -rtsp_transport tcp -timeout 20000000 -i rtsp://u:p@cam/1 " +
            "-map 0:v:0 -an -sn -dn -vf fps=5,scale=w='min(672,iw)':h='min(672,ih)':force_original_aspect_ratio=decrease:force_divisible_by=2 " +
            "-pix_fmt yuv420p -f yuv4mpegpipe pipe:1",
            string.Join(' ', args));
        // the URL is one argument, never split or quoted
        Assert.Contains("rtsp://u:p@cam/1", args);
    }

    [Theory]
    [InlineData("rtsp://u:p@cam/1", true)]
    [InlineData("rtsp://cam/1?user=u&password=p", true)]
    [InlineData("http://cam/video.mjpg?token=t", true)]
    [InlineData("rtsp://cam/1", false)]
    [InlineData("/clips/password=1.mp4", false)]
    public void OnlyNetworkUrlsWithCredentialsGoThroughAnInputScript(string url, bool script) =>
        Assert.Equal(script, FfmpegArguments.NeedsInputScript(Cam(url)));

    [Fact]
    public void AnInputScriptKeepsTheUrlOffTheCommandLineAndCarriesTheInputOptions()
    {
        var cam = Cam("rtsp://u:it's@cam/1", c => c.StallTimeoutSeconds = 10);
        var args = FfmpegArguments.Build(cam, false, "/tmp/x/input.ffconcat");
        Assert.DoesNotContain(args, a => a.Contains("cam/1"));
        Assert.Contains("-f concat -safe 0 -protocol_whitelist " + FfmpegArguments.ScriptProtocols + " -i /tmp/x/input.ffconcat -map 0:v:0", string.Join(' ', args));
        Assert.Equal(
            "ffconcat version 1.0\nfile 'rtsp://u:it'\\''s@cam/1'\noption rtsp_transport tcp\noption timeout 20000000\n",
            FfmpegArguments.InputScript(cam, false));
    }

    [Fact]
    public void OtherNetworkInputsGetAnIoTimeout()
    {
        Assert.Contains("-rw_timeout 5000000 -i http://cam/video.mjpg", Line(Cam("http://cam/video.mjpg", c => c.StallTimeoutSeconds = 2.5)));
        Assert.DoesNotContain("-rtsp_transport", Line(Cam("http://cam/video.mjpg")));
    }

    [Fact]
    public void LiveLikeFilesArePacedAndLooped()
    {
        Assert.Contains("-re -stream_loop -1 -i /clips/a.mp4", Line(Cam("/clips/a.mp4", c => { c.Realtime = true; c.Loop = true; })));
        Assert.Contains("-thread_type slice -i /clips/a.mp4", Line(Cam("/clips/a.mp4", c => { c.Realtime = false; c.Loop = false; })));
        Assert.Contains("-thread_type slice -re -i file:/clips/a.mp4", Line(Cam("file:/clips/a.mp4", c => c.Loop = false)));
    }

    [Fact]
    public void ReplayReadsAFileAsFastAsItDecodesAndOnlyOnce()
    {
        var line = Line(Cam("/clips/a.mp4", c => { c.Realtime = true; c.Loop = true; }), replay: true);
        Assert.DoesNotContain("-re", line.Split(' '));
        Assert.DoesNotContain("-stream_loop", line);
        Assert.DoesNotContain("-thread_type", line); // frame threads: replay is about throughput, not delay
        Assert.Contains("fps=5,scale=", line);
    }

    [Fact]
    public void FilterUsesInvariantDecimalsAndTheInferenceSize()
    {
        Assert.Equal("fps=2.5,scale=w='min(1024,iw)':h='min(1024,ih)':force_original_aspect_ratio=decrease:force_divisible_by=2", FfmpegArguments.Filter(2.5, 1024));
    }

    [Fact]
    public void NvdecDecodesOnTheGpuAndDownloadsForTheSoftwareFilters()
    {
        var line = Line(Cam("rtsp://cam/1", c => c.HwAccel = HwAccelPreset.Nvdec));
        Assert.Contains("-loglevel warning -hwaccel cuda -thread_type slice -rtsp_transport tcp", line);
        Assert.DoesNotContain("-hwaccel_output_format", line);
    }

    [Fact]
    public void VaapiNamesTheRenderNode()
    {
        Assert.Equal(new[] { "-hwaccel", "vaapi", "-vaapi_device", "/dev/dri/renderD128" }, FfmpegArguments.HwAccel(HwAccelPreset.Vaapi));
        Assert.Empty(FfmpegArguments.HwAccel(HwAccelPreset.None));
        Assert.Throws<ArgumentOutOfRangeException>(() => FfmpegArguments.HwAccel((HwAccelPreset)99));
    }

    [Theory]
    [InlineData("rtsp://h/x", InputKind.Rtsp)]
    [InlineData("RTSPS://h/x", InputKind.Rtsp)]
    [InlineData("http://h/x", InputKind.Network)]
    [InlineData("/srv/a.mp4", InputKind.File)]
    [InlineData("file:///srv/a.mp4", InputKind.File)]
    [InlineData("clips/a b.mkv", InputKind.File)]
    public void ClassifiesInputs(string url, InputKind kind) => Assert.Equal(kind, FfmpegArguments.Kind(url));

    [Fact]
    public void OnlyFilesThatAreNotLoopedCanEnd()
    {
        Assert.True(FfmpegArguments.CanEnd(Cam("/a.mp4", c => c.Loop = false), replay: false));
        Assert.False(FfmpegArguments.CanEnd(Cam("/a.mp4", c => c.Loop = true), replay: false));
        Assert.True(FfmpegArguments.CanEnd(Cam("/a.mp4", c => c.Loop = true), replay: true));
        Assert.False(FfmpegArguments.CanEnd(Cam("rtsp://h/x"), replay: false));
    }

    [Fact]
    public void OffsetIsSequenceOverFps()
    {
        Assert.Equal(TimeSpan.FromSeconds(2.4), FrameGeometry.Offset(12, 5));
        Assert.Equal(TimeSpan.FromSeconds(1), FrameGeometry.Offset(3, 3));
    }
}
