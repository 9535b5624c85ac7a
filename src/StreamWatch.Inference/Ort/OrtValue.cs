using System.Runtime.InteropServices;

namespace StreamWatch.Inference.Ort;

/// <summary>
/// A tensor OrtValue. Either over a pinned managed array (no copy; the array stays pinned until
/// disposal) or owned by ORT (a Run output). Read it with <see cref="AsSpan{T}"/> (CPU tensors only).
/// </summary>
public sealed unsafe class OrtValue : IDisposable
{
    private readonly OrtValueHandle _handle;
    private GCHandle _pin;

    internal OrtValue(IntPtr value, GCHandle pin = default) { _handle = new OrtValueHandle(value); _pin = pin; }
    internal IntPtr Ptr => _handle.Ptr;

    /// <summary>A tensor over <paramref name="data"/> (pinned, not copied) with the given shape.</summary>
    public static OrtValue FromArray<T>(T[] data, params long[] shape) where T : unmanaged
    {
        long count = 1; foreach (var d in shape) count *= d;
        if (count > data.Length) throw new ArgumentException($"shape [{string.Join(",", shape)}] needs {count} elements, array has {data.Length}");
        var pin = GCHandle.Alloc(data, GCHandleType.Pinned);
        try
        {
            fixed (long* s = shape)
                return new OrtValue(OrtNative.CreateTensor(OrtRuntime.CpuMemory, (void*)pin.AddrOfPinnedObject(), count * sizeof(T), s, shape.Length, (int)OrtElementTypes.Of<T>()), pin);
        }
        catch { pin.Free(); throw; }
    }

    /// <summary>A tensor over a float[] or Half[] buffer (see <see cref="FromArray{T}"/>).</summary>
    internal static OrtValue FromBuffer(Array buffer, params long[] shape) => buffer switch
    {
        float[] f => FromArray(f, shape),
        Half[] h => FromArray(h, shape),
        long[] l => FromArray(l, shape),
        _ => throw new NotSupportedException($"tensor buffer of {buffer.GetType().Name}"),
    };

    public OrtElementType ElementType => (OrtElementType)OrtNative.ValueShape(Ptr).Type;
    public long[] Shape => OrtNative.ValueShape(Ptr).Dims;

    /// <summary>The tensor's elements (CPU memory only). Valid while this value lives.</summary>
    public Span<T> AsSpan<T>() where T : unmanaged
    {
        var (type, dims) = OrtNative.ValueShape(Ptr);
        if ((OrtElementType)type != OrtElementTypes.Of<T>()) throw new InvalidOperationException($"tensor holds {(OrtElementType)type}, not {typeof(T).Name}");
        long n = 1; foreach (var d in dims) n *= d;
        return n == 0 ? Span<T>.Empty : new Span<T>(OrtNative.TensorData(Ptr), checked((int)n));
    }

    public void Dispose()
    {
        _handle.Dispose();
        if (_pin.IsAllocated) _pin.Free();
    }
}
