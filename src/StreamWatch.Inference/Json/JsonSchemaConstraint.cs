using StreamWatch.Inference.Qwen3Vl;

namespace StreamWatch.Inference.Json;

/// <summary>
/// Constrains generation to JSON valid under a schema (compiled to a <see cref="SchemaProgram"/>):
/// a token is allowed when all of its bytes keep the output a completable prefix. One per generation.
/// </summary>
public sealed class JsonSchemaConstraint : ILogitConstraint
{
    private readonly ConstraintVocabulary _vocab;
    private readonly SchemaProgram _program;
    private readonly int[] _stopIds;
    private readonly bool[] _allowed;
    private readonly Stack<(int Node, GrammarState State)> _stack = new();
    private GrammarState _state;

    public JsonSchemaConstraint(ConstraintVocabulary vocab, SchemaProgram program, params int[] stopIds)
    {
        (_vocab, _program) = (vocab, program);
        _stopIds = stopIds.Length > 0 ? stopIds : [QwenTokens.ImEnd];
        _allowed = new bool[vocab.TokenCount];
        _state = GrammarState.At(program);
    }

    public bool IsComplete => _state.IsDone;

    /// <summary>Tokens allowed now (for tests and diagnostics).</summary>
    public int AllowedCount { get; private set; }

    public void Apply(Span<float> logits)
    {
        Array.Clear(_allowed);
        if (IsComplete)
            foreach (var id in _stopIds) _allowed[id] = true;
        else
            Collect();
        var n = 0;
        for (var i = 0; i < logits.Length; i++)
        {
            if (i < _allowed.Length && _allowed[i]) n++;
            else logits[i] = float.NegativeInfinity;
        }
        AllowedCount = n;
    }

    public void Accept(int tokenId)
    {
        if (IsComplete)
        {
            if (Array.IndexOf(_stopIds, tokenId) < 0) throw new InvalidOperationException($"token {tokenId} after the JSON value was complete");
            return;
        }
        var s = _state;
        var bytes = (uint)tokenId < (uint)_vocab.Bytes.Length ? _vocab.Bytes[tokenId] : [];
        if (bytes.Length == 0) throw new InvalidOperationException($"token {tokenId} has no text and is not allowed here");
        foreach (var b in bytes)
            if (!Grammar.Feed(_program, ref s, b)) throw new InvalidOperationException($"token {tokenId} is not allowed here");
        _state = s;
    }

    private void Collect()
    {
        var node = _program.Nodes[_state.Node];
        var trie = _vocab.All;
        if (node.Kind == NodeKind.Str && _state.Pos == 1 && _state.Need == 0)
        {
            // Inside a string: plain tokens that fit the length limit, then probe the rest.
            var room = node.MaxLength == int.MaxValue ? int.MaxValue : node.MaxLength - _state.Count;
            var chars = _vocab.PlainChars;
            for (var i = 0; i < chars.Length && chars[i] <= room; i++) _allowed[_vocab.PlainIds[i]] = true;
            trie = _vocab.NonPlain;
        }
        Probe(trie);
    }

    private void Probe(TokenTrie trie)
    {
        _stack.Clear();
        _stack.Push((0, _state));
        while (_stack.Count > 0)
        {
            var (at, state) = _stack.Pop();
            for (var t = trie.FirstToken[at]; t >= 0; t = trie.NextSameBytes[t]) _allowed[t] = true;
            for (var child = trie.FirstChild[at]; child >= 0; child = trie.NextSibling[child])
            {
                var s = state;
                if (Grammar.Feed(_program, ref s, trie.Byte[child])) _stack.Push((child, s));
            }
        }
    }
}
