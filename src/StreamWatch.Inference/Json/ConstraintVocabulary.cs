using StreamWatch.Inference.Qwen3Vl;

namespace StreamWatch.Inference.Json;

/// <summary>
/// Token tables for constrained decoding, built once per tokenizer and shared by every constraint:
/// a trie of all tokens, a trie of the tokens that are not "plain string text", and the plain tokens
/// (no quote, backslash or control byte; whole UTF-8 characters) sorted by character count, so inside
/// a string the allowed plain tokens are simply a prefix of that list.
/// </summary>
public sealed class ConstraintVocabulary
{
    internal TokenTrie All { get; }
    internal TokenTrie NonPlain { get; }
    internal int[] PlainIds { get; }
    internal int[] PlainChars { get; }
    /// <summary>By token id: characters when the token is plain string text, else 0.</summary>
    internal int[] PlainCharsById { get; }
    internal byte[][] Bytes { get; }
    public int TokenCount { get; }

    public ConstraintVocabulary(ITokenizer tokenizer)
    {
        TokenCount = tokenizer.TokenCount;
        Bytes = new byte[TokenCount][];
        var all = new List<int>();
        var nonPlain = new List<int>();
        var plain = new List<(int Chars, int Id)>();
        PlainCharsById = new int[TokenCount];
        for (var id = 0; id < TokenCount; id++)
        {
            Bytes[id] = tokenizer.IsSpecial(id) ? [] : tokenizer.TokenBytes(id).ToArray();
            if (Bytes[id].Length == 0) continue;
            all.Add(id);
            var chars = PlainChars_(Bytes[id]);
            PlainCharsById[id] = chars;
            if (chars > 0) plain.Add((chars, id)); else nonPlain.Add(id);
        }
        plain.Sort();
        PlainIds = plain.Select(p => p.Id).ToArray();
        PlainChars = plain.Select(p => p.Chars).ToArray();
        All = new TokenTrie(all, id => Bytes[id], TokenCount);
        NonPlain = new TokenTrie(nonPlain, id => Bytes[id], TokenCount);
    }

    /// <summary>Characters in a token that is plain string text, else 0.</summary>
    private static int PlainChars_(byte[] b)
    {
        var chars = 0;
        for (var i = 0; i < b.Length;)
        {
            var c = b[i];
            if (c < 0x20 || c == '"' || c == '\\') return 0;
            var len = c < 0x80 ? 1 : c is >= 0xC2 and <= 0xDF ? 2 : c is >= 0xE0 and <= 0xEF ? 3 : c is >= 0xF0 and <= 0xF4 ? 4 : 0;
            if (len == 0 || i + len > b.Length) return 0;
            if (len > 1 && !System.Text.Unicode.Utf8.IsValid(b.AsSpan(i, len))) return 0;
            i += len;
            chars++;
        }
        return chars;
    }
}
