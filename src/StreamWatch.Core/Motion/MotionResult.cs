namespace StreamWatch.Core.Motion;

/// <summary>Motion in one cell of the analysis grid after global motion and lighting are removed.</summary>
/// <param name="X">Cell centre, normalised 0..1.</param>
/// <param name="Y">Cell centre, normalised 0..1.</param>
/// <param name="Dx">Mean residual flow, analysis pixels per analysed frame (+x right).</param>
/// <param name="Dy">Mean residual flow, analysis pixels per analysed frame (+y down).</param>
/// <param name="Magnitude">Residual motion strength in the cell (noise-floor normalised).</param>
/// <param name="Active">Above the noise floor and not masked.</param>
public readonly record struct FlowCell(float X, float Y, float Dx, float Dy, float Magnitude, bool Active);

/// <summary>
/// Result of analysing one frame against the previous one. The analyzer owns and reuses this
/// object and its <see cref="Cells"/> buffer: read it before the next Analyze call.
/// </summary>
public sealed class MotionResult
{
    /// <param name="width">Analysis frame width in pixels (the <see cref="Changed"/> mask's width).</param>
    /// <param name="height">Analysis frame height in pixels.</param>
    public MotionResult(int gridWidth, int gridHeight, int width, int height)
    {
        GridWidth = gridWidth;
        GridHeight = gridHeight;
        Cells = new FlowCell[gridWidth * gridHeight];
        Width = width;
        Height = height;
        Changed = new byte[width * height];
    }

    public int GridWidth { get; }
    public int GridHeight { get; }
    /// <summary>Row-major, GridWidth × GridHeight.</summary>
    public FlowCell[] Cells { get; }

    public int Width { get; }
    public int Height { get; }
    /// <summary>
    /// Where the motion is, to the pixel: row-major Width × Height, 1 where the grey level changed by
    /// more than <see cref="MotionOptions.PixelChangeThreshold"/> since the previous frame, counted only
    /// in unmasked cells that are active or next to an active one (so noise, lighting and shake, which
    /// leave no active cell, mark nothing); 0 elsewhere. Zone rules use it to see an object inside a
    /// zone before it fills a grid cell.
    /// </summary>
    public byte[] Changed { get; }
    /// <summary>Number of 1s in <see cref="Changed"/>.</summary>
    public int ChangedPixels { get; set; }

    /// <summary>The bounding box of <see cref="Changed"/>, normalised; null when no pixel changed.</summary>
    public Frames.Box? ChangedBounds()
    {
        if (ChangedPixels == 0) return null;
        int top = -1, bottom = 0, left = Width, right = -1;
        for (var y = 0; y < Height; y++)
        {
            var row = Changed.AsSpan(y * Width, Width);
            var first = row.IndexOfAnyExcept((byte)0);
            if (first < 0) continue;
            if (top < 0) top = y;
            bottom = y;
            left = Math.Min(left, first);
            right = Math.Max(right, row.LastIndexOfAnyExcept((byte)0));
        }
        if (top < 0) return null;
        return new Frames.Box((float)left / Width, (float)top / Height, (float)(right + 1 - left) / Width, (float)(bottom + 1 - top) / Height);
    }

    /// <summary>Gate input: how much local (object) motion there is, 0 when none.</summary>
    public float Score { get; set; }
    public int ActiveCells { get; set; }
    /// <summary>Dominant (camera) motion that was removed, analysis pixels per frame.</summary>
    public float GlobalDx { get; set; }
    public float GlobalDy { get; set; }
    /// <summary>Estimated global brightness ratio current/previous (1 = unchanged).</summary>
    public float BrightnessGain { get; set; } = 1f;
    /// <summary>True when the frame was judged a global lighting change and its motion suppressed.</summary>
    public bool LightingChange { get; set; }
}
