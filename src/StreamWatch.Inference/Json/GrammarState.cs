using System.Runtime.CompilerServices;

namespace StreamWatch.Inference.Json;

[InlineArray(SchemaProgram.MaxArrays)]
internal struct ArrayCounters { private int _e; }

/// <summary>Where the output stands in a <see cref="SchemaProgram"/>; a value type, copied freely while probing tokens.</summary>
internal struct GrammarState
{
    public int Node;
    public int Pos;          // Lit: bytes matched; Str: 0 before quote, 1 content, 2 after backslash; Enum: bytes matched; Num: phase
    public int Count;        // Str: code points so far
    public byte Need, Lo, Hi; // Str: pending UTF-8 continuation bytes and the range of the next one
    public ulong Alive;      // Enum: options still possible
    public bool Neg;         // Num
    public byte IntDigits, FracDigits;
    public long IntVal, FracVal;
    public ArrayCounters Counters;

    public static GrammarState At(SchemaProgram p) { var s = new GrammarState(); s.Enter(p, p.Start); return s; }

    public readonly bool IsDone => Node == 0;

    public void Enter(SchemaProgram p, int node)
    {
        Node = node;
        Pos = 0;
        var n = p.Nodes[node];
        if (n.Kind == NodeKind.Enum) Alive = n.Options.Length == 64 ? ulong.MaxValue : (1UL << n.Options.Length) - 1;
        else if (n.Kind == NodeKind.Num) { Neg = false; IntDigits = FracDigits = 0; IntVal = FracVal = 0; }
        else if (n.Kind == NodeKind.Str) { Count = 0; Need = 0; }
    }
}
