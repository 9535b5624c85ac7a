namespace StreamWatch.Tests.Motion;

/// <summary>
/// Smooth, non-periodic random texture (value noise, octaves of 16, 8 and 4 px) evaluated at
/// continuous positions, so exact sub-pixel shifts can be rendered.
/// </summary>
internal sealed class SyntheticScene(int seed)
{
    private static readonly (float Cell, float Amp)[] Octaves = [(16, 55), (8, 35), (4, 20)];

    public float At(float x, float y)
    {
        float v = 128;
        for (var o = 0; o < Octaves.Length; o++)
        {
            var (cell, amp) = Octaves[o];
            float gx = x / cell, gy = y / cell;
            int ix = (int)MathF.Floor(gx), iy = (int)MathF.Floor(gy);
            float fx = Smooth(gx - ix), fy = Smooth(gy - iy);
            var top = Lerp(Hash(ix, iy, o), Hash(ix + 1, iy, o), fx);
            var bottom = Lerp(Hash(ix, iy + 1, o), Hash(ix + 1, iy + 1, o), fx);
            v += amp * Lerp(top, bottom, fy);
        }
        return v;
    }

    private static float Smooth(float t) => t * t * t * (t * (t * 6 - 15) + 10);
    private static float Lerp(float a, float b, float t) => a + (b - a) * t;

    private float Hash(int x, int y, int o)
    {
        var h = (uint)(x * 374761393 + y * 668265263 + o * 2147483647 + seed * 1274126177);
        h = (h ^ (h >> 13)) * 1274126177u;
        h ^= h >> 16;
        return (h & 0xFFFF) / 32767.5f - 1f;
    }

    /// <summary>Renders the scene moved by (dx, dy): pixel (x, y) shows the texture at (x − dx, y − dy).</summary>
    public byte[] Render(int w, int h, float dx = 0, float dy = 0, float gain = 1, float offset = 0)
    {
        var img = new byte[w * h];
        for (var y = 0; y < h; y++)
            for (var x = 0; x < w; x++)
                img[y * w + x] = Clamp(gain * At(x - dx, y - dy) + offset);
        return img;
    }

    /// <summary>Pastes a box of another texture (moving with its own offset) onto an image.</summary>
    public static void PasteBox(byte[] img, int w, SyntheticScene box, int x0, int y0, int bw, int bh)
    {
        for (var y = y0; y < y0 + bh; y++)
            for (var x = x0; x < x0 + bw; x++)
                img[y * w + x] = Clamp(box.At(x - x0, y - y0));
    }

    public static void AddNoise(byte[] img, Random rnd, double sigma)
    {
        for (var i = 0; i < img.Length; i++)
        {
            var g = Math.Sqrt(-2 * Math.Log(1 - rnd.NextDouble())) * Math.Cos(2 * Math.PI * rnd.NextDouble());
            img[i] = Clamp((float)(img[i] + sigma * g));
        }
    }

    public static byte Clamp(float v) => (byte)Math.Clamp((int)MathF.Round(v), 0, 255);
}
