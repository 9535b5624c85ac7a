using System.Text;

namespace StreamWatch.Tests.Inference.Onnx;

/// <summary>Protocol-buffer wire encoding: varints, length-delimited fields, fixed32 floats.</summary>
internal sealed class ProtoWriter
{
    private readonly MemoryStream _s = new();
    public byte[] ToArray() => _s.ToArray();

    private void Varint(ulong v) { while (v >= 0x80) { _s.WriteByte((byte)(v | 0x80)); v >>= 7; } _s.WriteByte((byte)v); }
    private void Tag(int field, int wire) => Varint((ulong)((field << 3) | wire));
    public void Int(int field, long v) { Tag(field, 0); Varint((ulong)v); }
    public void Float(int field, float v) { Tag(field, 5); _s.Write(BitConverter.GetBytes(v)); }
    public void Bytes(int field, ReadOnlySpan<byte> b) { Tag(field, 2); Varint((ulong)b.Length); _s.Write(b); }
    public void String(int field, string s) => Bytes(field, Encoding.UTF8.GetBytes(s));
    public void Message(int field, Action<ProtoWriter> body) { var w = new ProtoWriter(); body(w); Bytes(field, w.ToArray()); }
}

/// <summary>ONNX element types used by the tiny models (TensorProto.DataType).</summary>
internal enum OnnxType { Float = 1, Int64 = 7, Bool = 9, Float16 = 10 }

/// <summary>
/// A minimal ONNX model writer: ModelProto (IR 8, opset 17) → GraphProto → NodeProto; initialisers
/// as raw_data; ValueInfoProto inputs/outputs whose dims are numbers or symbolic names.
/// </summary>
internal sealed class OnnxGraph
{
    private readonly List<Action<ProtoWriter>> _nodes = new(), _inits = new(), _inputs = new(), _outputs = new();
    private int _next;

    /// <summary>A fresh intermediate tensor name.</summary>
    public string Tmp() => $"t{_next++}";

    public void Input(string name, OnnxType type, params object[] dims) => _inputs.Add(w => w.Message(11, v => ValueInfo(v, name, type, dims)));
    public void Output(string name, OnnxType type, params object[] dims) => _outputs.Add(w => w.Message(12, v => ValueInfo(v, name, type, dims)));

    private static void ValueInfo(ProtoWriter v, string name, OnnxType type, object[] dims)
    {
        v.String(1, name);
        v.Message(2, tp => tp.Message(1, tt =>
        {
            tt.Int(1, (int)type);
            tt.Message(2, shape =>
            {
                foreach (var d in dims)
                    shape.Message(1, dim => { if (d is string s) dim.String(2, s); else dim.Int(1, Convert.ToInt64(d)); });
            });
        }));
    }

    public string Const(float[] values, params long[] dims) => Init(OnnxType.Float, dims, values.SelectMany(BitConverter.GetBytes).ToArray());
    public string Const(long[] values, params long[] dims) => Init(OnnxType.Int64, dims, values.SelectMany(BitConverter.GetBytes).ToArray());
    public string Const(Half[] values, params long[] dims) => Init(OnnxType.Float16, dims, values.SelectMany(h => BitConverter.GetBytes(h)).ToArray());
    public string Scalar(float v) => Const([v]);
    public string Scalar(long v) => Const([v]);

    private string Init(OnnxType type, long[] dims, byte[] raw)
    {
        var name = $"c{_next++}";
        _inits.Add(w => w.Message(5, t =>
        {
            foreach (var d in dims) t.Int(1, d);
            t.Int(2, (int)type);
            t.String(8, name);
            t.Bytes(9, raw);
        }));
        return name;
    }

    /// <summary>Adds a node; attributes are long, float, long[] or float[]. Returns its first output.</summary>
    public string Node(string op, string[] inputs, string[]? outputs = null, params (string Name, object Value)[] attrs)
    {
        outputs ??= [Tmp()];
        var nodeName = $"n{_nodes.Count}_{op}";
        _nodes.Add(w => w.Message(1, n =>
        {
            foreach (var i in inputs) n.String(1, i);
            foreach (var o in outputs) n.String(2, o);
            n.String(3, nodeName);
            n.String(4, op);
            foreach (var (name, value) in attrs)
                n.Message(5, a =>
                {
                    a.String(1, name);
                    switch (value)
                    {
                        case float f: a.Float(2, f); a.Int(20, 1); break;
                        case int or long: a.Int(3, Convert.ToInt64(value)); a.Int(20, 2); break;
                        case float[] fs: foreach (var f in fs) a.Float(7, f); a.Int(20, 6); break;
                        case long[] ls: foreach (var l in ls) a.Int(8, l); a.Int(20, 7); break;
                        default: throw new ArgumentException($"attribute type {value.GetType()}");
                    }
                });
        }));
        return outputs[0];
    }

    public string Node(string op, params string[] inputs) => Node(op, inputs, null);

    public byte[] ToModel(string graphName = "tiny")
    {
        var m = new ProtoWriter();
        m.Int(1, 8);                                   // ir_version
        m.String(2, "streamwatch-tests");             // producer_name
        m.Message(7, g =>
        {
            foreach (var n in _nodes) n(g);
            g.String(2, graphName);
            foreach (var i in _inits) i(g);
            foreach (var i in _inputs) i(g);
            foreach (var o in _outputs) o(g);
        });
        m.Message(8, op => { op.String(1, ""); op.Int(2, 17); });
        return m.ToArray();
    }
}
