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
    private readonly List<int> _marked = new();
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
        _marked.Clear();
        var room = 0;                                          // inside a string: plain tokens up to this many characters
        if (IsComplete)
            foreach (var id in _stopIds) Mark(id);
        else
        {
            var node = _program.Nodes[_state.Node];
            var inString = node.Kind == NodeKind.Str && _state.Pos == 1 && _state.Need == 0;
            if (inString) room = node.MaxLength == int.MaxValue ? int.MaxValue : node.MaxLength - _state.Count;
            Probe(inString ? _vocab.NonPlain : _vocab.All);
        }
        var plain = _vocab.PlainCharsById;
        var n = 0;
        for (var i = 0; i < logits.Length; i++)
        {
            if (i < _allowed.Length && (_allowed[i] || (uint)(plain[i] - 1) < (uint)room)) n++;
            else logits[i] = float.NegativeInfinity;
        }
        foreach (var id in _marked) _allowed[id] = false;
        AllowedCount = n;
    }

    private void Mark(int id)
    {
        if (_allowed[id]) return;
        _allowed[id] = true;
        _marked.Add(id);
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

    private void Probe(TokenTrie trie)
    {
        _stack.Clear();
        _stack.Push((0, _state));
        while (_stack.Count > 0)
        {
            var (at, state) = _stack.Pop();
            for (var t = trie.FirstToken[at]; t >= 0; t = trie.NextSameBytes[t]) Mark(t);
            for (var child = trie.FirstChild[at]; child >= 0; child = trie.NextSibling[child])
            {
                var s = state;
                if (Grammar.Feed(_program, ref s, trie.Byte[child])) _stack.Push((child, s));
            }
        }
    }
}
