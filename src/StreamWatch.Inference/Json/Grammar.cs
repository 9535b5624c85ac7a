namespace StreamWatch.Inference.Json;

/// <summary>
/// The byte-level automaton over a <see cref="SchemaProgram"/>. <see cref="Feed"/> accepts a byte only
/// when the output stays a prefix of some schema-valid document, so every reachable state can finish.
/// </summary>
internal static class Grammar
{
    public static bool Feed(SchemaProgram p, ref GrammarState s, byte c)
    {
        while (true)
        {
            var n = p.Nodes[s.Node];
            switch (n.Kind)
            {
                case NodeKind.Lit:
                    if (n.Bytes[s.Pos] != c) return false;
                    if (++s.Pos == n.Bytes.Length) s.Enter(p, n.Next);
                    return true;
                case NodeKind.Str:
                    return FeedString(p, n, ref s, c);
                case NodeKind.Enum:
                    ulong alive = 0;
                    var done = false;
                    for (var i = 0; i < n.Options.Length; i++)
                    {
                        var o = n.Options[i];
                        if ((s.Alive & (1UL << i)) == 0 || o.Length <= s.Pos || o[s.Pos] != c) continue;
                        alive |= 1UL << i;
                        done |= o.Length == s.Pos + 1;
                    }
                    if (alive == 0) return false;
                    s.Alive = alive;
                    s.Pos++;
                    if (done) s.Enter(p, n.Next);      // no option is a proper prefix of another (strings end in a quote)
                    return true;
                case NodeKind.Num:
                    var r = FeedNumber(n, ref s, c);
                    if (r != 0) return r > 0;
                    s.Enter(p, n.Next);                // the number ended: the byte belongs to what follows
                    continue;
                case NodeKind.ArrOpen:
                    if (c != '[') return false;
                    s.Counters[n.Array] = 0;
                    s.Enter(p, n.Next);
                    return true;
                case NodeKind.ArrFirst:
                    if (c == ']') { if (n.MinItems > 0) return false; s.Enter(p, n.Next); return true; }
                    if (n.MaxItems == 0) return false;
                    s.Counters[n.Array] = 1;
                    s.Enter(p, n.Item);
                    continue;
                case NodeKind.ArrAfter:
                    var count = s.Counters[n.Array];
                    if (c == ',' && count < n.MaxItems) { s.Counters[n.Array] = count + 1; s.Enter(p, n.Item); return true; }
                    if (c == ']' && count >= n.MinItems) { s.Enter(p, n.Next); return true; }
                    return false;
                default:
                    return false;                      // done: nothing more may follow
            }
        }
    }

    private static bool FeedString(SchemaProgram p, GrammarNode n, ref GrammarState s, byte c)
    {
        switch (s.Pos)
        {
            case 0:
                if (c != '"') return false;
                s.Pos = 1;
                return true;
            case 2:
                if (c is not ((byte)'"' or (byte)'\\' or (byte)'/' or (byte)'b' or (byte)'f' or (byte)'n' or (byte)'r' or (byte)'t')) return false;
                s.Pos = 1;
                return true;
        }
        if (s.Need > 0)
        {
            if (c < s.Lo || c > s.Hi) return false;
            s.Need--;
            (s.Lo, s.Hi) = (0x80, 0xBF);
            return true;
        }
        if (c == '"') { s.Enter(p, n.Next); return true; }
        if (s.Count >= n.MaxLength || c < 0x20) return false;
        if (c == '\\') { s.Pos = 2; s.Count++; return true; }
        if (c >= 0x80)
        {
            (byte need, byte lo, byte hi) = c switch
            {
                >= 0xC2 and <= 0xDF => ((byte)1, (byte)0x80, (byte)0xBF),
                0xE0 => ((byte)2, (byte)0xA0, (byte)0xBF),
                0xED => ((byte)2, (byte)0x80, (byte)0x9F),
                >= 0xE1 and <= 0xEF => ((byte)2, (byte)0x80, (byte)0xBF),
                0xF0 => ((byte)3, (byte)0x90, (byte)0xBF),
                >= 0xF1 and <= 0xF3 => ((byte)3, (byte)0x80, (byte)0xBF),
                0xF4 => ((byte)3, (byte)0x80, (byte)0x8F),
                _ => ((byte)0, (byte)0, (byte)0),
            };
            if (need == 0) return false;
            (s.Need, s.Lo, s.Hi) = (need, lo, hi);
        }
        s.Count++;
        return true;
    }

    /// <summary>1: accepted; −1: rejected; 0: the number is complete and <paramref name="c"/> follows it.</summary>
    private static int FeedNumber(GrammarNode n, ref GrammarState s, byte c)
    {
        var t = s;
        var digit = c is >= (byte)'0' and <= (byte)'9';
        var d = c - '0';
        switch (s.Pos)
        {
            case 0 when c == '-': t.Neg = true; t.Pos = 1; break;
            case 0 or 1 when digit: t.IntVal = d; t.IntDigits = 1; t.Pos = 2; break;
            case 0 or 1: return -1;
            case 2 when digit:
                if (s.IntVal == 0 || s.IntDigits == SchemaProgram.MaxIntDigits) return -1;
                t.IntVal = s.IntVal * 10 + d; t.IntDigits++; break;
            case 2 when c == '.' && !n.Integer: t.Pos = 3; break;
            case 3 when digit: t.FracVal = d; t.FracDigits = 1; t.Pos = 4; break;
            case 3: return -1;
            case 4 when digit:
                if (s.FracDigits == SchemaProgram.MaxFracDigits) return -1;
                t.FracVal = s.FracVal * 10 + d; t.FracDigits++; break;
            default:                                   // 2 or 4 and not a number byte: end here if the value fits
                if (c == '.') return -1;
                var v = Magnitude(s.IntVal, s.FracVal, s.FracDigits);
                if (s.Neg) v = -v;
                return v >= n.Lo && v <= n.Hi ? 0 : -1;
        }
        if (!Feasible(n, t)) return -1;
        s = t;
        return 1;
    }

    private static decimal Magnitude(long i, long f, int digits) => i + (digits == 0 ? 0 : f / Pow10(digits));

    private static decimal Pow10(int k) { decimal r = 1; while (k-- > 0) r *= 10; return r; }

    /// <summary>Can the number prefix in <paramref name="t"/> still end inside [Lo, Hi]?</summary>
    private static bool Feasible(GrammarNode n, in GrammarState t)
    {
        switch (t.Pos)
        {
            case 1: return Hits(n, true, 0, Pow10(SchemaProgram.MaxIntDigits));
            case 3: return Hits(n, t.Neg, t.IntVal, t.IntVal + 1m);
            case 4:
                var l = Magnitude(t.IntVal, t.FracVal, t.FracDigits);
                return Hits(n, t.Neg, l, l + 1m / Pow10(t.FracDigits));
        }
        if (t.IntVal == 0) return Hits(n, t.Neg, 0, 1);
        for (int k = 0, max = SchemaProgram.MaxIntDigits - t.IntDigits; k <= max; k++)
        {
            var scale = Pow10(k);
            if (Hits(n, t.Neg, t.IntVal * scale, (t.IntVal + 1) * scale)) return true;
        }
        return false;
    }

    /// <summary>Does the magnitude range [l, r) (integers: [l, r−1]) with the sign meet [Lo, Hi]?</summary>
    private static bool Hits(GrammarNode n, bool neg, decimal l, decimal r)
    {
        if (n.Integer)
        {
            r -= 1;
            return neg ? -r <= n.Hi && n.Lo <= -l : l <= n.Hi && n.Lo <= r;
        }
        return neg ? -r < n.Hi && n.Lo <= -l : l <= n.Hi && n.Lo < r;
    }
}
