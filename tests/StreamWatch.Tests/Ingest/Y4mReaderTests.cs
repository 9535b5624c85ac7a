using System.Text;
using StreamWatch.Ingest;

namespace StreamWatch.Tests.Ingest;

public class Y4mReaderTests
{
    [Fact]
    public void ParsesTheHeaderFfmpegWrites()
    {
        var h = Y4mHeader.Parse("YUV4MPEG2 W672 H378 F5:1 Ip A1:1 C420jpeg XYSCSS=420JPEG XCOLORRANGE=LIMITED");
        Assert.Equal(new Y4mHeader(672, 378, 5), h);
        Assert.Equal(672 * 378 * 3 / 2, h.FrameBytes);
        Assert.Equal(2.5, Y4mHeader.Parse("YUV4MPEG2 W2 H2 F5:2").Fps);
    }

    [Theory]
    [InlineData("GIF89a")]
    [InlineData("YUV4MPEG2 W671 H378 F5:1")]
    [InlineData("YUV4MPEG2 H378 F5:1")]
    [InlineData("YUV4MPEG2 W672 H378")]
    [InlineData("YUV4MPEG2 W672 H378 F5:0")]
    [InlineData("YUV4MPEG2 W672 H378 F5:1 C444")]
    public void RejectsHeadersItCannotRead(string line) => Assert.Throws<InvalidDataException>(() => Y4mHeader.Parse(line));

    private static MemoryStream Stream(string header, params byte[][] frames)
    {
        var ms = new MemoryStream();
        ms.Write(Encoding.ASCII.GetBytes(header + "\n"));
        foreach (var f in frames) { ms.Write("FRAME\n"u8); ms.Write(f); }
        ms.Position = 0;
        return ms;
    }

    [Fact]
    public async Task ReadsFramesInOrderUntilTheEnd()
    {
        var r = new Y4mReader(Stream("YUV4MPEG2 W2 H2 F5:1 C420jpeg", [1, 2, 3, 4, 5, 6], [7, 8, 9, 10, 11, 12]));
        var h = await r.ReadHeaderAsync(default);
        var buf = new byte[h!.Value.FrameBytes];
        Assert.True(await r.ReadFrameAsync(buf, default));
        Assert.Equal(new byte[] { 1, 2, 3, 4, 5, 6 }, buf);
        Assert.True(await r.ReadFrameAsync(buf, default));
        Assert.Equal(12, buf[5]);
        Assert.False(await r.ReadFrameAsync(buf, default));
    }

    [Fact]
    public async Task ATruncatedLastFrameIsTheEndNotAnError()
    {
        var ms = Stream("YUV4MPEG2 W2 H2 F5:1", [1, 2, 3, 4, 5, 6]);
        ms.SetLength(ms.Length - 2);
        var r = new Y4mReader(ms);
        await r.ReadHeaderAsync(default);
        Assert.False(await r.ReadFrameAsync(new byte[6], default));
    }

    [Fact]
    public async Task FrameParametersAreSkipped()
    {
        var ms = new MemoryStream(Encoding.ASCII.GetBytes("YUV4MPEG2 W2 H2 F5:1\nFRAME Ixyz\nabcdef"));
        var r = new Y4mReader(ms);
        await r.ReadHeaderAsync(default);
        var buf = new byte[6];
        Assert.True(await r.ReadFrameAsync(buf, default));
        Assert.Equal("abcdef", Encoding.ASCII.GetString(buf));
    }

    [Fact]
    public async Task GarbageBetweenFramesIsAnError()
    {
        var ms = new MemoryStream(Encoding.ASCII.GetBytes("YUV4MPEG2 W2 H2 F5:1\nFRAME\nabcdefXXXXXX\nabcdef"));
        var r = new Y4mReader(ms);
        await r.ReadHeaderAsync(default);
        Assert.True(await r.ReadFrameAsync(new byte[6], default));
        await Assert.ThrowsAsync<InvalidDataException>(async () => await r.ReadFrameAsync(new byte[6], default));
    }

    [Fact]
    public async Task AnEmptyStreamHasNoHeader()
    {
        Assert.Null(await new Y4mReader(new MemoryStream()).ReadHeaderAsync(default));
    }
}
