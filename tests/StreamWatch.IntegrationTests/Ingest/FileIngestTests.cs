using Microsoft.Extensions.Logging.Abstractions;
using StreamWatch.Core.Config;
using StreamWatch.Core.Pipeline;
using StreamWatch.Ingest;

namespace StreamWatch.IntegrationTests.Ingest;

public class FileIngestTests
{
    [Fact]
    public async Task AFileDeliversScaledFramesWithOffsetsAndItsEndIsReported()
    {
        var clip = await Clips.Mp4Async(3, 1280, 720);
        var camera = new CameraOptions { Name = "file1", Url = clip, AnalysisFps = 5, Realtime = false, Loop = false };
        using var counters = new CounterProbe("file1");
        await using var run = new CameraRun(camera);

        await run.Task.WaitAsync(TimeSpan.FromSeconds(60)); // a file that ends returns, it does not throw
        var frames = run.Frames;
        Assert.InRange(frames.Count, 14, 16); // 3 s at 5 fps
        Assert.All(frames, f =>
        {
            Assert.Equal((672, 378), (f.Width, f.Height));       // longest side = InferenceSize, aspect kept
            Assert.True(f.LumaSpread > 50, "the test pattern has contrast");
        });
        Assert.Equal(Enumerable.Range(0, frames.Count).Select(i => (long)i), frames.Select(f => f.Sequence));
        Assert.Equal(frames.Select(f => TimeSpan.FromMilliseconds(200 * f.Sequence)), frames.Select(f => f.Offset));
        Assert.Equal(["online:frames", "offline:ended"], run.States.Select(s => $"{(s.Online ? "online" : "offline")}:{s.Reason.Text()}"));
        Assert.Equal(frames[^1].Offset, run.States[^1].Offset);
        Assert.Equal(frames.Count, counters["frames_decoded"]);
        Assert.Equal(0, counters["stream_errors"]); // the end of a file is no error
    }

    [Fact]
    public async Task ReplayReadsTheWholeFileOnceWithStreamTimeStamps()
    {
        var clip = await Clips.Mp4Async(2, 360, 640); // portrait
        // Realtime and Loop are demo settings for live runs: replay ignores both
        var camera = new CameraOptions { Name = "replay1", Url = clip, AnalysisFps = 10, Realtime = true, Loop = true };
        var time = TimeProvider.System;
        await using var src = await FfmpegFrameSource.StartAsync(camera, replay: true, NullLogger.Instance, time);
        Assert.True(await src.OpenAsync(CancellationToken.None));
        Assert.Equal((360, 640), (src.Header!.Value.Width, src.Header.Value.Height)); // inside 672: not upscaled
        var stamps = new List<(long Seq, TimeSpan Offset, DateTimeOffset Utc)>();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (await src.ReadFrameAsync(cts.Token) is { } frame)
        {
            stamps.Add((frame.Sequence, frame.Offset, frame.CapturedUtc));
            src.Pool!.Return(frame);
        }
        Assert.InRange(stamps.Count, 19, 21);
        Assert.Equal(0, await src.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        var start = stamps[0].Utc;
        Assert.All(stamps, s => Assert.Equal(start + TimeSpan.FromMilliseconds(100 * s.Seq), s.Utc));
    }

    [Theory] // the inference size is min(source, InferenceSize 672): a smaller camera keeps its own pixels
    [InlineData(1920, 1080, 672, 378)]
    [InlineData(640, 360, 640, 360)]
    [InlineData(320, 240, 320, 240)]
    [InlineData(160, 120, 160, 120)]
    public async Task FramesAreScaledDownToTheInferenceSizeButNeverUp(int w, int h, int ew, int eh)
    {
        var clip = await Clips.Mp4Async(1, w, h);
        var camera = new CameraOptions { Name = "size1", Url = clip, AnalysisFps = 5 };
        await using var src = await FfmpegFrameSource.StartAsync(camera, replay: true, NullLogger.Instance, TimeProvider.System);
        Assert.True(await src.OpenAsync(CancellationToken.None));
        Assert.Equal((ew, eh), (src.Header!.Value.Width, src.Header.Value.Height));
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var frame = await src.ReadFrameAsync(cts.Token);
        Assert.NotNull(frame);
        Assert.Equal((ew, eh), (frame.Width, frame.Height));
        src.Pool!.Return(frame);
    }

    [Fact]
    public async Task AMissingFileIsReportedOfflineAndRetriedWithoutThrowing()
    {
        var camera = new CameraOptions { Name = "missing", Url = "/nonexistent/clip.mp4", Loop = false, StallTimeoutSeconds = 5 };
        using var counters = new CounterProbe("missing");
        await using var run = new CameraRun(camera);
        await run.WaitUntilAsync(r => r.Logger.Lines.Count(l => l.Contains("restarting in")) >= 2, TimeSpan.FromSeconds(60), "two restarts");
        Assert.Equal(["ffmpeg_error"], run.States.Select(s => s.Reason.Text())); // offline once, not per retry
        Assert.False(run.Task.IsCompleted);
        Assert.Contains(run.Logger.Lines, l => l.Contains("No such file or directory"));
        Assert.True(counters["stream_errors:ffmpeg_error"] >= 2);
        Assert.True(counters["ffmpeg_restarts"] >= 1);
        await run.StopAsync();
    }
}
