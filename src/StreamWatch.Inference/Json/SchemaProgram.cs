using System.Text;
using System.Text.Json;

namespace StreamWatch.Inference.Json;

internal enum NodeKind : byte { Done, Lit, Str, Enum, Num, ArrOpen, ArrFirst, ArrAfter }

/// <summary>One step of the compiled output grammar.</summary>
internal sealed class GrammarNode
{
    public NodeKind Kind;
    public int Next = -1;
    public byte[] Bytes = [];            // Lit
    public byte[][] Options = [];        // Enum (each option's exact bytes, quotes included for strings)
    public int MaxLength = int.MaxValue; // Str
    public bool Integer;                 // Num
    public decimal Lo, Hi;               // Num bounds (integer bounds already rounded inwards)
    public int Array = -1, Item = -1, MinItems, MaxItems = int.MaxValue; // Arr*
}

/// <summary>
/// A schema compiled to a linear grammar for constrained decoding: compact JSON, keys in schema
/// order, every property emitted, numbers as -?(0|[1-9]\d*)(\.\d{1,6})? with at most 15 integer digits.
/// </summary>
public sealed class SchemaProgram
{
    internal const int MaxArrays = 8, MaxIntDigits = 15, MaxFracDigits = 6;
    internal const decimal Unbounded = 999_999_999_999_999m;
    internal GrammarNode[] Nodes { get; }
    internal int Start { get; }
    public SchemaNode Schema { get; }

    private SchemaProgram(GrammarNode[] nodes, int start, SchemaNode schema) => (Nodes, Start, Schema) = (nodes, start, schema);

    public static SchemaProgram Compile(SchemaNode schema)
    {
        if (schema.Kind is not (SchemaKind.Object or SchemaKind.Array)) throw new FormatException("schema $: the top level must be an object or an array");
        var nodes = new List<GrammarNode> { new() { Kind = NodeKind.Done } };
        var arrays = 0;
        int Add(GrammarNode n) { nodes.Add(n); return nodes.Count - 1; }
        int Lit(string text, int next) => Add(new GrammarNode { Kind = NodeKind.Lit, Bytes = Encoding.UTF8.GetBytes(text), Next = next });

        int Emit(SchemaNode s, int next, string path)
        {
            switch (s.Kind)
            {
                case SchemaKind.Object:
                    if (s.Properties.Count == 0) return Lit("{}", next);
                    var after = Lit("}", next);
                    for (var i = s.Properties.Count - 1; i >= 0; i--)
                    {
                        var (key, value) = (s.Properties[i].Key, s.Properties[i].Value);
                        var v = Emit(value, after, $"{path}.{key}");
                        after = Lit((i == 0 ? "{" : ",") + JsonSerializer.Serialize(key) + ":", v);
                    }
                    return after;
                case SchemaKind.String when s.Enum != null:
                    return Add(new GrammarNode { Kind = NodeKind.Enum, Options = s.Enum.Select(e => Encoding.UTF8.GetBytes(JsonSerializer.Serialize(e))).ToArray(), Next = next });
                case SchemaKind.String:
                    return Add(new GrammarNode { Kind = NodeKind.Str, MaxLength = s.MaxLength ?? int.MaxValue, Next = next });
                case SchemaKind.Boolean:
                    return Add(new GrammarNode { Kind = NodeKind.Enum, Options = ["true"u8.ToArray(), "false"u8.ToArray()], Next = next });
                case SchemaKind.Number or SchemaKind.Integer:
                    return Add(Number(s, next, path));
                default:
                    if (arrays == MaxArrays) throw new FormatException($"schema {path}: more than {MaxArrays} arrays");
                    var arr = arrays++;
                    var afterItem = Add(new GrammarNode { Kind = NodeKind.ArrAfter, Array = arr, MinItems = s.MinItems, MaxItems = s.MaxItems ?? int.MaxValue, Next = next });
                    var item = Emit(s.Items!, afterItem, path + "[]");
                    nodes[afterItem].Item = item;
                    var first = Add(new GrammarNode { Kind = NodeKind.ArrFirst, Array = arr, Item = item, MinItems = s.MinItems, MaxItems = s.MaxItems ?? int.MaxValue, Next = next });
                    return Add(new GrammarNode { Kind = NodeKind.ArrOpen, Array = arr, Next = first });
            }
        }

        var start = Emit(schema, 0, "$");
        return new SchemaProgram(nodes.ToArray(), start, schema);
    }

    private static GrammarNode Number(SchemaNode s, int next, string path)
    {
        decimal lo = s.Minimum ?? -Unbounded, hi = s.Maximum ?? Unbounded;
        if (s.Kind == SchemaKind.Integer) (lo, hi) = (decimal.Ceiling(lo), decimal.Floor(hi));
        if (lo > hi || lo < -Unbounded || hi > Unbounded) throw new FormatException($"schema {path}: bounds must lie within ±{Unbounded} and admit a value");
        if (lo.Scale > MaxFracDigits && lo != decimal.Round(lo, MaxFracDigits) || hi.Scale > MaxFracDigits && hi != decimal.Round(hi, MaxFracDigits))
            throw new FormatException($"schema {path}: bounds may have at most {MaxFracDigits} decimals");
        return new GrammarNode { Kind = NodeKind.Num, Integer = s.Kind == SchemaKind.Integer, Lo = lo, Hi = hi, Next = next };
    }
}
