using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace StreamWatch.Inference.Onnx;

/// <summary>ONNX tensor element types (TensorProto.DataType numbering, as ONNX Runtime's TensorElementType).</summary>
public enum OnnxElementType
{
    Undefined = 0, Float = 1, UInt8 = 2, Int8 = 3, UInt16 = 4, Int16 = 5, Int32 = 6, Int64 = 7, String = 8,
    Bool = 9, Float16 = 10, Double = 11, UInt32 = 12, UInt64 = 13, BFloat16 = 16,
}

/// <summary>A graph input or output: name, element type, dims (−1 where symbolic) and the symbolic names.</summary>
public sealed record TensorInfo(string Name, OnnxElementType ElementType, long[] Dims, string[] SymbolicDims)
{
    public int Rank => Dims.Length;
    public override string ToString() =>
        $"{Name} {ElementType} [{string.Join(",", Dims.Select((d, i) => d >= 0 ? d.ToString() : SymbolicDims[i] is { Length: > 0 } s ? s : "?"))}]";
}

/// <summary>An ONNX Runtime call failed; carries ONNX Runtime's own message.</summary>
public sealed class OnnxException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// A tensor: over a pinned managed array (no copy; pinned until disposal) or owned by ONNX Runtime
/// (a Run output). Read it with <see cref="AsSpan{T}"/> (CPU memory only).
/// </summary>
public sealed class OnnxTensor : IDisposable
{
    private GCHandle _pin;

    internal OnnxTensor(OrtValue value, GCHandle pin = default) { Value = value; _pin = pin; }
    internal OrtValue Value { get; }

    /// <summary>A tensor over <paramref name="data"/> (pinned, not copied) with the given shape.</summary>
    public static OnnxTensor FromArray<T>(T[] data, params long[] shape) where T : unmanaged
    {
        long count = 1; foreach (var d in shape) count *= d;
        if (count > data.Length) throw new ArgumentException($"shape [{string.Join(",", shape)}] needs {count} elements, array has {data.Length}");
        var pin = GCHandle.Alloc(data, GCHandleType.Pinned);
        try
        {
            return new OnnxTensor(OrtValue.CreateTensorValueWithData(OrtMemoryInfo.DefaultInstance, (TensorElementType)ElementTypes.Of<T>(),
                shape, pin.AddrOfPinnedObject(), count * Marshal.SizeOf<T>()), pin);
        }
        catch { pin.Free(); throw; }
    }

    /// <summary>A tensor over a float[], Half[] or long[] buffer (see <see cref="FromArray{T}"/>).</summary>
    internal static OnnxTensor FromBuffer(Array buffer, params long[] shape) => buffer switch
    {
        float[] f => FromArray(f, shape),
        Half[] h => FromArray(h, shape),
        long[] l => FromArray(l, shape),
        _ => throw new NotSupportedException($"tensor buffer of {buffer.GetType().Name}"),
    };

    public OnnxElementType ElementType => (OnnxElementType)Value.GetTensorTypeAndShape().ElementDataType;
    public long[] Shape => Value.GetTensorTypeAndShape().Shape;

    /// <summary>The tensor's bytes (CPU memory only). Valid while this tensor lives.</summary>
    internal Span<byte> Bytes => Value.GetTensorMutableRawData();

    /// <summary>The tensor's elements (CPU memory only). Valid while this tensor lives.</summary>
    public Span<T> AsSpan<T>() where T : unmanaged
    {
        var type = ElementType;
        if (type != ElementTypes.Of<T>()) throw new InvalidOperationException($"tensor holds {type}, not {typeof(T).Name}");
        return MemoryMarshal.Cast<byte, T>(Bytes);
    }

    public void Dispose()
    {
        Value.Dispose();
        if (_pin.IsAllocated) _pin.Free();
    }
}

internal static class ElementTypes
{
    public static OnnxElementType Of<T>() where T : unmanaged =>
        typeof(T) == typeof(float) ? OnnxElementType.Float :
        typeof(T) == typeof(Half) ? OnnxElementType.Float16 :
        typeof(T) == typeof(long) ? OnnxElementType.Int64 :
        typeof(T) == typeof(int) ? OnnxElementType.Int32 :
        typeof(T) == typeof(byte) ? OnnxElementType.UInt8 :
        typeof(T) == typeof(sbyte) ? OnnxElementType.Int8 :
        typeof(T) == typeof(bool) ? OnnxElementType.Bool :
        typeof(T) == typeof(double) ? OnnxElementType.Double :
        throw new NotSupportedException($"no ONNX element type for {typeof(T).Name}");
}
