using System.Text;

namespace StreamWatch.Inference.Onnx;

/// <summary>
/// Writes a small ONNX model (opset 17, float32/int64 tensors) straight as protobuf: nodes, graph
/// inputs/outputs with symbolic dimensions, and initializers whose data goes to one external data
/// file next to the model (so graphs over 2 GB load). Field numbers are onnx.proto's.
/// </summary>
public sealed class OnnxGraphWriter : IDisposable
{
    public const int Float = 1, Int64 = 7;
    private readonly List<byte[]> _nodes = [], _inits = [], _inputs = [], _outputs = [];
    private readonly FileStream _data;
    private readonly string _dataName;
    private int _next;

    /// <param name="dataPath">the external data file (must sit in the model's folder)</param>
    public OnnxGraphWriter(string dataPath)
    {
        _data = new FileStream(dataPath, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        _dataName = Path.GetFileName(dataPath);
    }

    /// <summary>Total bytes of weights written so far.</summary>
    public long WeightBytes => _data.Length;

    /// <summary>A graph input or output; a dimension is a number or a symbolic name.</summary>
    public void Input(string name, int type, params object[] dims) => _inputs.Add(ValueInfo(name, type, dims));
    public void Output(string name, int type, params object[] dims) => _outputs.Add(ValueInfo(name, type, dims));

    /// <summary>Adds a node; returns its (first) output name. Attributes: long, float, long[].</summary>
    public string Node(string op, string[] inputs, params (string Name, object Value)[] attrs) => NodeTo(op, inputs, [$"t{_next++}"], attrs)[0];

    public string[] NodeTo(string op, string[] inputs, string[] outputs, params (string Name, object Value)[] attrs)
    {
        var p = new Proto();
        foreach (var i in inputs) p.Str(1, i);
        foreach (var o in outputs) p.Str(2, o);
        p.Str(3, $"n{_nodes.Count}");
        p.Str(4, op);
        foreach (var (name, value) in attrs)
        {
            var a = new Proto();
            a.Str(1, name);
            switch (value)
            {
                case long l: a.Varint(3, (ulong)l); a.Varint(20, 2); break;
                case int n: a.Varint(3, (ulong)(long)n); a.Varint(20, 2); break;
                case float f: a.Fixed32(2, BitConverter.SingleToUInt32Bits(f)); a.Varint(20, 1); break;
                case long[] ls: foreach (var l in ls) a.Varint(8, (ulong)l); a.Varint(20, 7); break;
                default: throw new ArgumentException($"attribute {name}: unsupported type {value.GetType().Name}");
            }
            p.Msg(5, a);
        }
        _nodes.Add(p.ToArray());
        return outputs;
    }

    /// <summary>An int64 constant (shapes, axes), stored inline.</summary>
    public string Ints(params long[] values)
    {
        var name = $"c{_next++}";
        var t = new Proto();
        t.Varint(1, (ulong)values.Length);
        t.Varint(2, Int64);
        t.Str(8, name);
        t.Bytes(9, values.SelectMany(BitConverter.GetBytes).ToArray());
        _inits.Add(t.ToArray());
        return name;
    }

    /// <summary>A float32 weight of the given shape, uniform in ±<paramref name="scale"/> (or all <paramref name="constant"/>), in the external file.</summary>
    public string Weight(long[] dims, float scale, float? constant = null)
    {
        var name = $"w{_next++}";
        long count = dims.Aggregate(1L, (a, b) => a * b);
        long offset = (_data.Length + 4095) / 4096 * 4096;
        _data.SetLength(offset);
        _data.Position = offset;
        var buf = new float[Math.Min(count, 1 << 20)];
        var rng = new XorShift((ulong)_next * 0x9E3779B97F4A7C15UL + 1);
        for (long done = 0; done < count; done += buf.Length)
        {
            int n = (int)Math.Min(buf.Length, count - done);
            if (constant is { } c) Array.Fill(buf, c, 0, n);
            else for (int i = 0; i < n; i++) buf[i] = rng.NextSigned() * scale;
            _data.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(buf.AsSpan(0, n)));
        }
        var t = new Proto();
        foreach (var d in dims) t.Varint(1, (ulong)d);
        t.Varint(2, Float);
        t.Str(8, name);
        foreach (var (k, v) in new[] { ("location", _dataName), ("offset", offset.ToString()), ("length", (count * 4).ToString()) })
        {
            var e = new Proto();
            e.Str(1, k); e.Str(2, v);
            t.Msg(13, e);
        }
        t.Varint(14, 1); // EXTERNAL
        _inits.Add(t.ToArray());
        return name;
    }

    /// <summary>Writes the model file (and flushes the external data file).</summary>
    public void Save(string modelPath)
    {
        _data.Flush();
        var g = new Proto();
        foreach (var n in _nodes) g.Bytes(1, n);
        g.Str(2, "g");
        foreach (var i in _inits) g.Bytes(5, i);
        foreach (var i in _inputs) g.Bytes(11, i);
        foreach (var o in _outputs) g.Bytes(12, o);
        var opset = new Proto();
        opset.Str(1, "");
        opset.Varint(2, 17);
        var m = new Proto();
        m.Varint(1, 8); // ir_version
        m.Str(2, "streamwatch bench");
        m.Bytes(7, g.ToArray());
        m.Msg(8, opset);
        File.WriteAllBytes(modelPath, m.ToArray());
    }

    public void Dispose() => _data.Dispose();

    private static byte[] ValueInfo(string name, int type, object[] dims)
    {
        var shape = new Proto();
        foreach (var d in dims)
        {
            var dim = new Proto();
            if (d is string s) dim.Str(2, s); else dim.Varint(1, (ulong)Convert.ToInt64(d));
            shape.Msg(1, dim);
        }
        var tensor = new Proto();
        tensor.Varint(1, (ulong)type);
        tensor.Msg(2, shape);
        var tp = new Proto();
        tp.Msg(1, tensor);
        var vi = new Proto();
        vi.Str(1, name);
        vi.Msg(2, tp);
        return vi.ToArray();
    }

    /// <summary>A protobuf message under construction.</summary>
    private sealed class Proto
    {
        private readonly MemoryStream _s = new();
        public void Varint(int field, ulong v) { Raw(((ulong)field << 3) | 0); Raw(v); }
        public void Fixed32(int field, uint v) { Raw(((ulong)field << 3) | 5); _s.Write(BitConverter.GetBytes(v)); }
        public void Bytes(int field, byte[] b) { Raw(((ulong)field << 3) | 2); Raw((ulong)b.Length); _s.Write(b); }
        public void Str(int field, string s) => Bytes(field, Encoding.UTF8.GetBytes(s));
        public void Msg(int field, Proto p) => Bytes(field, p.ToArray());
        public byte[] ToArray() => _s.ToArray();
        private void Raw(ulong v)
        {
            while (v >= 0x80) { _s.WriteByte((byte)(v | 0x80)); v >>= 7; }
            _s.WriteByte((byte)v);
        }
    }

    private struct XorShift(ulong seed)
    {
        private ulong _s = seed == 0 ? 1 : seed;
        /// <summary>Uniform in [−1, 1).</summary>
        public float NextSigned()
        {
            _s ^= _s << 13; _s ^= _s >> 7; _s ^= _s << 17;
            return (int)(_s >> 40) * (1f / (1 << 23)) - 1f;
        }
    }
}
