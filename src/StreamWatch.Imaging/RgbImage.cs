using OpenCvSharp;

namespace StreamWatch.Imaging;

/// <summary>An 8-bit RGB image, rows top to bottom, 3 bytes per pixel, no padding.</summary>
public sealed record RgbImage(int Width, int Height, byte[] Pixels)
{
    /// <summary>Reads a PNG or JPEG file as RGB (alpha dropped, grey expanded).</summary>
    public static RgbImage Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"image '{path}' does not exist", path);
        using var bgr = Cv2.ImRead(path, ImreadModes.Color);
        if (bgr.Empty()) throw new InvalidDataException($"image '{path}' cannot be decoded");
        return FromBgr(bgr);
    }

    /// <summary>Decodes an encoded PNG or JPEG (e.g. a snapshot) as RGB.</summary>
    public static RgbImage Decode(byte[] encoded)
    {
        using var bgr = Cv2.ImDecode(encoded, ImreadModes.Color);
        if (bgr.Empty()) throw new InvalidDataException("the image cannot be decoded");
        return FromBgr(bgr);
    }

    public (byte R, byte G, byte B) Pixel(int x, int y)
    {
        var i = (y * Width + x) * 3;
        return (Pixels[i], Pixels[i + 1], Pixels[i + 2]);
    }

    private static RgbImage FromBgr(Mat bgr)
    {
        using var rgb = new Mat();
        Cv2.CvtColor(bgr, rgb, ColorConversionCodes.BGR2RGB);
        var pixels = new byte[rgb.Width * rgb.Height * 3];
        if (!rgb.IsContinuous()) throw new InvalidOperationException("OpenCV returned a non-continuous image");
        System.Runtime.InteropServices.Marshal.Copy(rgb.Data, pixels, 0, pixels.Length);
        return new RgbImage(rgb.Width, rgb.Height, pixels);
    }
}
