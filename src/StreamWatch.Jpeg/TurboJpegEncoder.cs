using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using StreamWatch.Core.Frames;

namespace StreamWatch.Jpeg;

/// <summary>
/// JPEG encoder over libjpeg-turbo's TurboJPEG API (Debian libturbojpeg0): I420 goes straight in
/// through tjCompressFromYUV, no colour conversion. Thread-safe: compressors are pooled.
/// </summary>
public sealed class TurboJpegEncoder : IJpegEncoder, IDisposable
{
    private readonly ConcurrentBag<TurboJpegHandle> _pool = new();

    public unsafe byte[] EncodeI420(ReadOnlySpan<byte> i420, int width, int height, int quality = 85)
    {
        if (width <= 0 || height <= 0) throw new ArgumentOutOfRangeException(nameof(width), $"image size {width}x{height} is not positive");
        if (quality is < 1 or > 100) throw new ArgumentOutOfRangeException(nameof(quality), "quality must be 1..100");
        var need = (long)width * height + 2L * ((width + 1) / 2) * ((height + 1) / 2);
        if (i420.Length < need) throw new ArgumentException($"I420 {width}x{height} needs {need} bytes, got {i420.Length}", nameof(i420));
        if (!_pool.TryTake(out var h)) h = TurboJpegHandle.Create();
        byte* jpeg = null;
        nuint size = 0;
        try
        {
            int rc;
            fixed (byte* src = i420)
                rc = TurboJpegNative.CompressFromYUV(h, src, width, 1, height, TurboJpegNative.Samp420, &jpeg, &size, quality, 0);
            if (rc != 0) throw new InvalidOperationException("JPEG encoding failed: " + TurboJpegNative.ErrorText(h));
            return new ReadOnlySpan<byte>(jpeg, checked((int)size)).ToArray();
        }
        finally
        {
            if (jpeg != null) TurboJpegNative.Free(jpeg);
            _pool.Add(h);
        }
    }

    public void Dispose()
    {
        while (_pool.TryTake(out var h)) h.Dispose();
    }
}

internal sealed class TurboJpegHandle : SafeHandle
{
    public TurboJpegHandle() : base(0, ownsHandle: true) { }
    public override bool IsInvalid => handle == 0;

    public static TurboJpegHandle Create()
    {
        var h = TurboJpegNative.InitCompress();
        if (h.IsInvalid) throw new InvalidOperationException("tjInitCompress failed (is libturbojpeg0 installed?)");
        return h;
    }

    protected override bool ReleaseHandle() => TurboJpegNative.Destroy(handle) == 0;
}

/// <summary>libturbojpeg.so.0 (2.1.x); signatures from turbojpeg.h.</summary>
internal static unsafe partial class TurboJpegNative
{
    private const string Lib = "libturbojpeg.so.0";
    public const int Samp420 = 2; // TJSAMP_420

    [LibraryImport(Lib, EntryPoint = "tjInitCompress")] public static partial TurboJpegHandle InitCompress();
    [LibraryImport(Lib, EntryPoint = "tjDestroy")] public static partial int Destroy(nint handle);
    [LibraryImport(Lib, EntryPoint = "tjFree")] public static partial void Free(byte* buffer);
    [LibraryImport(Lib, EntryPoint = "tjGetErrorStr2")] private static partial nint GetErrorStr2(TurboJpegHandle handle);
    [LibraryImport(Lib, EntryPoint = "tjCompressFromYUV")]
    public static partial int CompressFromYUV(TurboJpegHandle handle, byte* src, int width, int align, int height, int subsamp,
        byte** jpegBuf, nuint* jpegSize, int quality, int flags);

    public static string ErrorText(TurboJpegHandle h) => Marshal.PtrToStringUTF8(GetErrorStr2(h)) ?? "unknown error";
}
