using System.Collections.Concurrent;
using System.Text;
using System.Text.RegularExpressions;

namespace StreamWatch.Inference.Qwen3Vl;

/// <summary>
/// Qwen2/Qwen3 byte-level BPE tokenizer read from a Hugging Face tokenizer.json: added tokens split
/// out first (longest first), NFC, the Qwen2 pre-tokenizer regex, GPT-2 byte→unicode map, merges by rank.
/// Thread-safe. Known gap: .NET's regex sees astral-plane letters as surrogates, not \p{L}.
/// </summary>
public sealed partial class Qwen3Tokenizer : ITokenizer
{
    /// <summary>Logit rows of Qwen3-VL; ids at or above the vocabulary (151 669) are padding.</summary>
    public const int ModelTokenCount = 151_936;

    private readonly Dictionary<long, long> _merges;          // (left<<32 | right) → (rank<<32 | merged id)
    private readonly int[] _byteToId = new int[256];
    private readonly byte[][] _tokenBytes;                    // empty for special and padding ids
    private readonly string?[] _addedText;                    // content of added tokens, by id
    private readonly bool[] _special;
    private readonly (string Text, int Id)[] _added;          // longest first
    private readonly Dictionary<string, int> _vocab;
    private readonly ConcurrentDictionary<string, int[]> _cache = new();
    private const int CacheLimit = 50_000;

    [GeneratedRegex(@"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+", RegexOptions.CultureInvariant)]
    private static partial Regex PreTokenizer();

    internal Qwen3Tokenizer(TokenizerData data)
    {
        _vocab = data.Vocab;
        TokenCount = Math.Max(ModelTokenCount, data.MaxId + 1);
        _tokenBytes = new byte[TokenCount][];
        _addedText = new string?[TokenCount];
        _special = new bool[TokenCount];
        Array.Fill(_tokenBytes, Array.Empty<byte>());
        Array.Fill(_byteToId, -1);
        var unicodeToByte = ByteLevel.UnicodeToByte;
        foreach (var (tok, id) in _vocab)
        {
            var bytes = new byte[tok.Length];
            var ok = true;
            for (var i = 0; i < tok.Length; i++)
            {
                var c = tok[i];
                if (c >= unicodeToByte.Length || unicodeToByte[c] < 0) { ok = false; break; }
                bytes[i] = (byte)unicodeToByte[c];
            }
            if (!ok) throw new InvalidDataException($"tokenizer.json: vocabulary entry {id} is not byte-level");
            _tokenBytes[id] = bytes;
            if (bytes.Length == 1) _byteToId[bytes[0]] = id;
        }
        for (var b = 0; b < 256; b++)
            if (_byteToId[b] < 0) throw new InvalidDataException($"tokenizer.json: no token for byte {b}");
        foreach (var (text, id, special) in data.Added)
        {
            _addedText[id] = text;
            _special[id] = special;
            _tokenBytes[id] = special ? Array.Empty<byte>() : Encoding.UTF8.GetBytes(text);
        }
        _added = data.Added.Select(a => (a.Text, a.Id)).OrderByDescending(a => a.Text.Length).ToArray();
        _merges = data.Merges;
    }

    /// <summary>Loads tokenizer.json (streams the file; ~11 MB for Qwen3).</summary>
    public static Qwen3Tokenizer Load(string path) => new(TokenizerData.Read(path));

    public int TokenCount { get; }

    public bool IsSpecial(int id) => (uint)id < (uint)_special.Length && _special[id];

    public ReadOnlySpan<byte> TokenBytes(int id) => (uint)id < (uint)_tokenBytes.Length ? _tokenBytes[id] : default;

    /// <summary>Id of an added token by its exact text (e.g. "&lt;|im_end|&gt;").</summary>
    public int AddedTokenId(string text)
    {
        foreach (var (t, id) in _added) if (t == text) return id;
        throw new KeyNotFoundException($"no added token '{text}'");
    }

    public int[] Encode(string text)
    {
        var ids = new List<int>(text.Length / 3 + 4);
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] != '<') continue;                    // every Qwen added token starts with '<'
            foreach (var (t, id) in _added)
            {
                if (string.CompareOrdinal(text, i, t, 0, t.Length) != 0) continue;
                EncodeOrdinary(text.AsSpan(start, i - start), ids);
                ids.Add(id);
                i += t.Length - 1;
                start = i + 1;
                break;
            }
        }
        EncodeOrdinary(text.AsSpan(start), ids);
        return ids.ToArray();
    }

    public string Decode(ReadOnlySpan<int> ids)
    {
        var bytes = new List<byte>(ids.Length * 4);
        foreach (var id in ids)
        {
            if ((uint)id >= (uint)TokenCount) continue;
            if (_addedText[id] is { } added) bytes.AddRange(Encoding.UTF8.GetBytes(added));
            else bytes.AddRange(_tokenBytes[id]);
        }
        return Encoding.UTF8.GetString(bytes.ToArray());
    }

    private void EncodeOrdinary(ReadOnlySpan<char> span, List<int> ids)
    {
        if (span.IsEmpty) return;
        var text = span.ToString();
        if (!text.IsNormalized(NormalizationForm.FormC)) text = text.Normalize(NormalizationForm.FormC);
        foreach (var m in PreTokenizer().EnumerateMatches(text))
        {
            var piece = text.Substring(m.Index, m.Length);
            if (!_cache.TryGetValue(piece, out var pieceIds))
            {
                pieceIds = Bpe(piece);
                if (_cache.Count >= CacheLimit) _cache.Clear();
                _cache[piece] = pieceIds;
            }
            ids.AddRange(pieceIds);
        }
    }

    private int[] Bpe(string piece)
    {
        var bytes = Encoding.UTF8.GetBytes(piece);
        if (_vocab.TryGetValue(ByteLevel.ToUnicode(bytes), out var whole)) return [whole];
        var sym = new List<int>(bytes.Length);
        foreach (var b in bytes) sym.Add(_byteToId[b]);
        while (sym.Count > 1)
        {
            long best = long.MaxValue;
            var at = -1;
            for (var i = 0; i + 1 < sym.Count; i++)
                if (_merges.TryGetValue(((long)sym[i] << 32) | (uint)sym[i + 1], out var rm) && rm < best) { best = rm; at = i; }
            if (at < 0) break;
            int merged = (int)(best & 0xFFFFFFFF), left = sym[at], right = sym[at + 1], w = at;
            for (var i = at; i < sym.Count; i++)             // merge every left-to-right occurrence of the pair
            {
                if (i + 1 < sym.Count && sym[i] == left && sym[i + 1] == right) { sym[w++] = merged; i++; }
                else sym[w++] = sym[i];
            }
            sym.RemoveRange(w, sym.Count - w);
        }
        return sym.ToArray();
    }
}
