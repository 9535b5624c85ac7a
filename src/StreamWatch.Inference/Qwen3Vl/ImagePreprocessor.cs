namespace StreamWatch.Inference.Qwen3Vl;

/// <summary>
/// Keyframe (I420) or RGB image → Qwen3-VL pixel_values: smart resize to multiples of 32, BT.601 limited-range
/// YUV→RGB, separable bicubic resampling (kernel widened when shrinking = antialias, as PIL does),
/// normalisation u8/127.5 − 1, and the 2×2 merge-window patch order of spec §1.
/// </summary>
public static class ImagePreprocessor
{
    public const int Patch = 16, Merge = 2, Temporal = 2, Factor = Patch * Merge;
    public const int PatchDim = 3 * Temporal * Patch * Patch;   // 1536
    public const int DefaultMinPixels = 65_536;

    /// <summary>Target size (multiples of 32) for an image, per the Qwen smart-resize rule.</summary>
    public static (int Width, int Height) SmartResize(int width, int height, int maxPixels, int minPixels = DefaultMinPixels)
    {
        if (width < Factor || height < Factor)
            throw new ArgumentException($"image {width}x{height} is smaller than {Factor}x{Factor}");
        if ((double)Math.Max(width, height) / Math.Min(width, height) > 200)
            throw new ArgumentException($"image {width}x{height} has an aspect ratio above 200");
        int hb = Math.Max(Factor, (int)Math.Round((double)height / Factor) * Factor);
        int wb = Math.Max(Factor, (int)Math.Round((double)width / Factor) * Factor);
        if ((long)hb * wb > maxPixels)
        {
            var b = Math.Sqrt((double)height * width / maxPixels);
            hb = Math.Max(Factor, (int)Math.Floor(height / b / Factor) * Factor);
            wb = Math.Max(Factor, (int)Math.Floor(width / b / Factor) * Factor);
        }
        else if ((long)hb * wb < minPixels)
        {
            var b = Math.Sqrt((double)minPixels / ((double)height * width));
            hb = (int)Math.Ceiling(height * b / Factor) * Factor;
            wb = (int)Math.Ceiling(width * b / Factor) * Factor;
        }
        return (wb, hb);
    }

    /// <summary>Preprocesses one I420 image (Y, then U, then V at half resolution).</summary>
    public static PreprocessedImage FromI420(ReadOnlySpan<byte> i420, int width, int height, int maxPixels, int minPixels = DefaultMinPixels)
    {
        if (i420.Length < width * height * 3 / 2)
            throw new ArgumentException($"I420 buffer of {i420.Length} bytes is too small for {width}x{height}");
        return FromPlanes(I420ToRgbPlanar(i420, width, height), width, height, maxPixels, minPixels);
    }

    /// <summary>Preprocesses one 8-bit RGB image (3 bytes per pixel, rows top to bottom, no padding).</summary>
    public static PreprocessedImage FromRgb(ReadOnlySpan<byte> rgb, int width, int height, int maxPixels, int minPixels = DefaultMinPixels)
    {
        int n = width * height;
        if (rgb.Length < 3 * n) throw new ArgumentException($"RGB buffer of {rgb.Length} bytes is too small for {width}x{height}");
        var planes = new float[3 * n];
        for (var i = 0; i < n; i++)
        {
            planes[i] = rgb[3 * i];
            planes[n + i] = rgb[3 * i + 1];
            planes[2 * n + i] = rgb[3 * i + 2];
        }
        return FromPlanes(planes, width, height, maxPixels, minPixels);
    }

    /// <summary>Planar RGB in 0..255 → smart resize (when needed), 8-bit quantisation, normalisation, patches.</summary>
    private static PreprocessedImage FromPlanes(float[] rgb, int width, int height, int maxPixels, int minPixels)
    {
        var (tw, th) = SmartResize(width, height, maxPixels, minPixels);
        if (tw != width || th != height) rgb = Resampler.Resize(rgb, width, height, tw, th);
        for (var i = 0; i < rgb.Length; i++)                  // quantise like an 8-bit image, then normalise
            rgb[i] = Math.Clamp(MathF.Round(rgb[i]), 0f, 255f) / 127.5f - 1f;
        return new PreprocessedImage(Patchify(rgb, tw, th), th / Patch, tw / Patch);
    }

    /// <summary>BT.601 limited range (typical camera yuv420p) to planar float RGB in 0..255.</summary>
    internal static float[] I420ToRgbPlanar(ReadOnlySpan<byte> i420, int width, int height)
    {
        int n = width * height, cw = (width + 1) / 2, ch = (height + 1) / 2;
        var yP = i420[..n];
        var uP = i420.Slice(n, cw * ch);
        var vP = i420.Slice(n + cw * ch, cw * ch);
        var rgb = new float[3 * n];
        for (var y = 0; y < height; y++)
        {
            var crow = (y >> 1) * cw;
            for (var x = 0; x < width; x++)
            {
                float l = 1.164383f * (yP[y * width + x] - 16);
                float u = uP[crow + (x >> 1)] - 128, v = vP[crow + (x >> 1)] - 128;
                var i = y * width + x;
                rgb[i] = Math.Clamp(l + 1.596027f * v, 0f, 255f);
                rgb[n + i] = Math.Clamp(l - 0.391762f * u - 0.812968f * v, 0f, 255f);
                rgb[2 * n + i] = Math.Clamp(l + 2.017232f * u, 0f, 255f);
            }
        }
        return rgb;
    }

    /// <summary>Planar image [3, H, W] (H, W multiples of 32) → pixel_values [(H/16)·(W/16), 1536].</summary>
    internal static float[] Patchify(float[] planes, int width, int height)
    {
        int bH = height / Factor, bW = width / Factor, plane = width * height;
        var pv = new float[bH * bW * 4 * PatchDim];
        var r = 0;
        for (var bh = 0; bh < bH; bh++)
        for (var bw = 0; bw < bW; bw++)
        for (var ih = 0; ih < Merge; ih++)
        for (var iw = 0; iw < Merge; iw++, r++)
        {
            var row = pv.AsSpan(r * PatchDim, PatchDim);
            int y0 = (bh * Merge + ih) * Patch, x0 = (bw * Merge + iw) * Patch;
            for (var c = 0; c < 3; c++)
            for (var t = 0; t < Temporal; t++)
            for (var y = 0; y < Patch; y++)
                planes.AsSpan(c * plane + (y0 + y) * width + x0, Patch)
                    .CopyTo(row.Slice(((c * Temporal + t) * Patch + y) * Patch, Patch));
        }
        return pv;
    }
}
