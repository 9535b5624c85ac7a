using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;

namespace StreamWatch.Ingest;

/// <summary>The stream header ffmpeg's yuv4mpegpipe muxer writes: size and frame rate.</summary>
public readonly record struct Y4mHeader(int Width, int Height, double Fps)
{
    public int FrameBytes => Width * Height * 3 / 2;

    /// <summary>Parses "YUV4MPEG2 W672 H378 F5:1 Ip A1:1 C420jpeg …" (without the newline).</summary>
    public static Y4mHeader Parse(string line)
    {
        var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0 || parts[0] != "YUV4MPEG2") throw new InvalidDataException($"not a YUV4MPEG2 stream: '{Trim(line)}'");
        int w = 0, h = 0;
        double fps = 0;
        foreach (var p in parts.Skip(1))
        {
            switch (p[0])
            {
                case 'W': w = Int(p); break;
                case 'H': h = Int(p); break;
                case 'F':
                    var r = p[1..].Split(':');
                    if (r.Length == 2 && long.TryParse(r[0], CultureInfo.InvariantCulture, out var n) && long.TryParse(r[1], CultureInfo.InvariantCulture, out var d) && n > 0 && d > 0)
                        fps = (double)n / d;
                    break;
                case 'C' when !p.StartsWith("C420", StringComparison.Ordinal):
                    throw new InvalidDataException($"YUV4MPEG2 colour space {p} is not 4:2:0");
            }
        }
        if (w <= 0 || h <= 0 || (w & 1) != 0 || (h & 1) != 0 || w > 16384 || h > 16384)
            throw new InvalidDataException($"YUV4MPEG2 frame size {w}x{h} is not positive and even");
        if (fps <= 0) throw new InvalidDataException($"YUV4MPEG2 header has no frame rate: '{Trim(line)}'");
        return new Y4mHeader(w, h, fps);
    }

    private static int Int(string p) => int.TryParse(p.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : 0;
    private static string Trim(string s) => s.Length > 80 ? s[..80] + "…" : s;
}

/// <summary>
/// Reads a YUV4MPEG2 stream: the header once, then fixed-size I420 frames into caller buffers.
/// Steady state allocates nothing (pooled async builder, caller-owned buffers).
/// </summary>
public sealed class Y4mReader(Stream stream)
{
    private const int MaxLine = 1024;
    private static ReadOnlySpan<byte> FrameTag => "FRAME"u8;
    private readonly byte[] _tag = new byte[6];

    public async Task<Y4mHeader?> ReadHeaderAsync(CancellationToken ct)
    {
        var line = await ReadLineAsync(ct);
        return line == null ? null : Y4mHeader.Parse(Encoding.ASCII.GetString(line));
    }

    /// <summary>Fills <paramref name="i420"/> with the next frame; false at the end of the stream
    /// (also when the stream ends inside a frame: ffmpeg was killed mid-write).</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<bool> ReadFrameAsync(Memory<byte> i420, CancellationToken ct)
    {
        var n = await stream.ReadAtLeastAsync(_tag, _tag.Length, throwOnEndOfStream: false, ct);
        if (n < _tag.Length) return false;
        if (!_tag.AsSpan(0, 5).SequenceEqual(FrameTag) || _tag[5] is not ((byte)'\n' or (byte)' '))
            throw new InvalidDataException("YUV4MPEG2 stream out of step: expected a FRAME marker");
        if (_tag[5] == (byte)' ' && await ReadLineAsync(ct) == null) return false; // frame parameters, ignored
        n = await stream.ReadAtLeastAsync(i420, i420.Length, throwOnEndOfStream: false, ct);
        return n == i420.Length;
    }

    private async Task<byte[]?> ReadLineAsync(CancellationToken ct)
    {
        var buf = new List<byte>(96);
        var one = new byte[1];
        while (true)
        {
            if (await stream.ReadAsync(one, ct) == 0) return buf.Count == 0 ? null : throw new InvalidDataException("YUV4MPEG2 stream ended inside a header line");
            if (one[0] == (byte)'\n') return buf.ToArray();
            if (buf.Count >= MaxLine) throw new InvalidDataException("YUV4MPEG2 header line too long");
            buf.Add(one[0]);
        }
    }
}
