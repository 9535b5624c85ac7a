using System.Runtime.InteropServices;

namespace StreamWatch.Inference.Ort;

/// <summary>A native ORT object released through its Release* slot when disposed or finalised.</summary>
internal abstract class OrtHandle : SafeHandle
{
    protected OrtHandle(IntPtr p) : base(IntPtr.Zero, true) => SetHandle(p);
    protected abstract int ReleaseSlot { get; }
    public override bool IsInvalid => handle == IntPtr.Zero;
    protected override bool ReleaseHandle() { OrtNative.Release(ReleaseSlot, handle); return true; }
    public IntPtr Ptr => handle;
}

internal sealed class OrtEnvHandle(IntPtr p) : OrtHandle(p) { protected override int ReleaseSlot => 92; }
internal sealed class OrtMemoryInfoHandle(IntPtr p) : OrtHandle(p) { protected override int ReleaseSlot => 94; }
internal sealed class OrtSessionHandle(IntPtr p) : OrtHandle(p) { protected override int ReleaseSlot => 95; }
internal sealed class OrtValueHandle(IntPtr p) : OrtHandle(p) { protected override int ReleaseSlot => 96; }
internal sealed class OrtSessionOptionsHandle(IntPtr p) : OrtHandle(p) { protected override int ReleaseSlot => 100; }
internal sealed class OrtIoBindingHandle(IntPtr p) : OrtHandle(p) { protected override int ReleaseSlot => 135; }

/// <summary>ONNX tensor element types (TensorProto.DataType numbering).</summary>
public enum OrtElementType
{
    Undefined = 0, Float = 1, UInt8 = 2, Int8 = 3, UInt16 = 4, Int16 = 5, Int32 = 6, Int64 = 7, String = 8,
    Bool = 9, Float16 = 10, Double = 11, UInt32 = 12, UInt64 = 13, BFloat16 = 16,
}

internal static class OrtElementTypes
{
    public static OrtElementType Of<T>() where T : unmanaged =>
        typeof(T) == typeof(float) ? OrtElementType.Float :
        typeof(T) == typeof(Half) ? OrtElementType.Float16 :
        typeof(T) == typeof(long) ? OrtElementType.Int64 :
        typeof(T) == typeof(int) ? OrtElementType.Int32 :
        typeof(T) == typeof(byte) ? OrtElementType.UInt8 :
        typeof(T) == typeof(sbyte) ? OrtElementType.Int8 :
        typeof(T) == typeof(bool) ? OrtElementType.Bool :
        typeof(T) == typeof(double) ? OrtElementType.Double :
        throw new NotSupportedException($"no ONNX element type for {typeof(T).Name}");

    public static int Size(OrtElementType t) => t switch
    {
        OrtElementType.Float or OrtElementType.Int32 or OrtElementType.UInt32 => 4,
        OrtElementType.Int64 or OrtElementType.Double or OrtElementType.UInt64 => 8,
        OrtElementType.Float16 or OrtElementType.BFloat16 or OrtElementType.Int16 or OrtElementType.UInt16 => 2,
        OrtElementType.UInt8 or OrtElementType.Int8 or OrtElementType.Bool => 1,
        _ => throw new NotSupportedException($"element type {t}"),
    };
}
