using System.Text;
using BenchmarkDotNet.Attributes;
using StreamWatch.Ingest;

namespace StreamWatch.Benchmarks.Ingest;

/// <summary>
/// The daemon's per-frame ingest work outside ffmpeg: reading one 672×378 I420 frame (381 KiB)
/// from the YUV4MPEG2 pipe, and redacting an ffmpeg stderr line.
/// Run: dotnet run -c Release --project tests/StreamWatch.Benchmarks -- --filter '*IngestBenchmarks*' --job short --inProcess
/// Measured (2-core Xeon, loaded): ReadFrame 15.9 µs, 0 B; RedactLineWithUrl 2.9 µs; RedactPlainLine 1.0 µs, 0 B.
/// </summary>
[MemoryDiagnoser]
public class IngestBenchmarks
{
    private Y4mReader _reader = null!;
    private readonly byte[] _frame = new byte[672 * 378 * 3 / 2];
    private const string StderrWithUrl = "rtsp://admin:secret@10.1.2.3:554/Streaming/Channels/101: Connection timed out";
    private const string StderrPlain = "[h264 @ 0x5581c0] error while decoding MB 12 7, bytestream -5";

    [GlobalSetup]
    public void Setup()
    {
        _reader = new Y4mReader(new RepeatingFrameStream(_frame.Length));
        _reader.ReadHeaderAsync(default).GetAwaiter().GetResult();
    }

    [Benchmark]
    public async Task<bool> ReadFrame() => await _reader.ReadFrameAsync(_frame, default);

    [Benchmark]
    public string RedactLineWithUrl() => UrlRedactor.Redact(StderrWithUrl);

    [Benchmark]
    public string RedactPlainLine() => UrlRedactor.Redact(StderrPlain);

    /// <summary>A Y4M header followed by the same frame forever; reads complete synchronously, like a full pipe.</summary>
    private sealed class RepeatingFrameStream : Stream
    {
        private readonly byte[] _header = Encoding.ASCII.GetBytes("YUV4MPEG2 W672 H378 F5:1 Ip A1:1 C420jpeg\n");
        private readonly byte[] _unit;
        private long _pos;

        public RepeatingFrameStream(int frameBytes)
        {
            _unit = new byte[6 + frameBytes];
            "FRAME\n"u8.CopyTo(_unit);
            new Random(1).NextBytes(_unit.AsSpan(6));
        }

        public override int Read(Span<byte> buffer)
        {
            if (_pos < _header.Length)
            {
                var h = Math.Min(buffer.Length, _header.Length - (int)_pos);
                _header.AsSpan((int)_pos, h).CopyTo(buffer);
                _pos += h;
                return h;
            }
            var at = (int)((_pos - _header.Length) % _unit.Length);
            var n = Math.Min(buffer.Length, _unit.Length - at);
            _unit.AsSpan(at, n).CopyTo(buffer);
            _pos += n;
            return n;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default) => ValueTask.FromResult(Read(buffer.Span));
        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => _pos; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
