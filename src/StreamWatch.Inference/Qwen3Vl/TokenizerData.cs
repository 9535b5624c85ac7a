using System.Text.Json;

namespace StreamWatch.Inference.Qwen3Vl;

/// <summary>The parts of a tokenizer.json the BPE tokenizer needs, read with a forward-only reader.</summary>
internal sealed class TokenizerData
{
    public Dictionary<string, int> Vocab { get; } = new(160_000, StringComparer.Ordinal);
    public Dictionary<long, long> Merges { get; } = new(160_000);
    public List<(string Text, int Id, bool Special)> Added { get; } = new();
    public int MaxId { get; private set; }

    public static TokenizerData Read(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var data = new TokenizerData();
        var r = new Utf8JsonReader(bytes, new JsonReaderOptions { MaxDepth = 16 });
        Expect(ref r, JsonTokenType.StartObject);
        while (Next(ref r) == JsonTokenType.PropertyName)
        {
            var name = r.GetString();
            Next(ref r);
            if (name == "added_tokens") ReadAdded(ref r, data);
            else if (name == "model") ReadModel(ref r, data);
            else r.Skip();
        }
        if (data.Vocab.Count == 0) throw new InvalidDataException($"{path}: no model.vocab");
        foreach (var v in data.Vocab.Values) data.MaxId = Math.Max(data.MaxId, v);
        foreach (var a in data.Added) data.MaxId = Math.Max(data.MaxId, a.Id);
        return data;
    }

    private static void ReadAdded(ref Utf8JsonReader r, TokenizerData data)
    {
        Expect(ref r, JsonTokenType.StartArray, current: true);
        while (Next(ref r) == JsonTokenType.StartObject)
        {
            int id = -1; string? content = null; var special = false;
            while (Next(ref r) == JsonTokenType.PropertyName)
            {
                var p = r.GetString();
                Next(ref r);
                switch (p)
                {
                    case "id": id = r.GetInt32(); break;
                    case "content": content = r.GetString(); break;
                    case "special": special = r.GetBoolean(); break;
                    default: r.Skip(); break;
                }
            }
            if (id < 0 || string.IsNullOrEmpty(content)) throw new InvalidDataException("tokenizer.json: added token without id/content");
            data.Added.Add((content, id, special));
        }
    }

    private static void ReadModel(ref Utf8JsonReader r, TokenizerData data)
    {
        Expect(ref r, JsonTokenType.StartObject, current: true);
        while (Next(ref r) == JsonTokenType.PropertyName)
        {
            var p = r.GetString();
            Next(ref r);
            if (p == "type" && r.GetString() != "BPE") throw new InvalidDataException("tokenizer.json: model.type is not BPE");
            else if (p == "vocab")
            {
                while (Next(ref r) == JsonTokenType.PropertyName)
                {
                    var tok = r.GetString()!;
                    Next(ref r);
                    data.Vocab[tok] = r.GetInt32();
                }
            }
            else if (p == "merges")
            {
                if (data.Vocab.Count == 0) throw new InvalidDataException("tokenizer.json: model.vocab must precede model.merges");
                var lookup = data.Vocab.GetAlternateLookup<ReadOnlySpan<char>>();
                Span<char> buf = new char[1024];
                var rank = 0;
                while (Next(ref r) != JsonTokenType.EndArray)
                {
                    int la, lb;
                    if (r.TokenType == JsonTokenType.String)            // old format: "a b"
                    {
                        var n = r.CopyString(buf);
                        la = buf[..n].IndexOf(' ');
                        buf.Slice(la + 1, n - la - 1).CopyTo(buf[la..]);
                        lb = n - la - 1;
                    }
                    else
                    {
                        Next(ref r); la = r.CopyString(buf);
                        Next(ref r); lb = r.CopyString(buf[la..]);
                        Expect(ref r, JsonTokenType.EndArray);
                    }
                    if (la <= 0 || lb <= 0 || !lookup.TryGetValue(buf[..la], out var ia) || !lookup.TryGetValue(buf.Slice(la, lb), out var ib)
                        || !lookup.TryGetValue(buf[..(la + lb)], out var im))
                        throw new InvalidDataException($"tokenizer.json: merge {rank} refers to unknown tokens");
                    data.Merges.TryAdd(((long)ia << 32) | (uint)ib, ((long)rank << 32) | (uint)im);
                    rank++;
                }
            }
            else if (p != "type") r.Skip();
        }
    }

    private static JsonTokenType Next(ref Utf8JsonReader r)
    {
        if (!r.Read()) throw new InvalidDataException("tokenizer.json: unexpected end");
        return r.TokenType;
    }

    private static void Expect(ref Utf8JsonReader r, JsonTokenType t, bool current = false)
    {
        if (!current) Next(ref r);
        if (r.TokenType != t) throw new InvalidDataException($"tokenizer.json: expected {t}, found {r.TokenType}");
    }
}
