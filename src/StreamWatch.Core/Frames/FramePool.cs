using System.Collections.Concurrent;

namespace StreamWatch.Core.Frames;

/// <summary>A small pool of equally sized frames so that the steady state allocates nothing.</summary>
public sealed class FramePool(int width, int height, int capacity = 8)
{
    private readonly ConcurrentQueue<Frame> _free = new();

    public int Width { get; } = width;
    public int Height { get; } = height;

    public Frame Rent() => _free.TryDequeue(out var f) ? f : new Frame(Width, Height);

    /// <summary>Gives a frame back; frames beyond the pool's capacity are left to the GC.</summary>
    public void Return(Frame frame)
    {
        if (frame.Width == Width && frame.Height == Height && _free.Count < capacity)
            _free.Enqueue(frame);
    }
}
