namespace StreamWatch.Inference.Json;

/// <summary>A byte trie over token strings (first-child / next-sibling arrays); node 0 is the root.</summary>
internal sealed class TokenTrie
{
    public readonly byte[] Byte;
    public readonly int[] FirstChild, NextSibling, FirstToken;   // FirstToken: a token ending here or −1
    public readonly int[] NextSameBytes;                         // by token id: another token with the same bytes or −1

    public TokenTrie(IReadOnlyList<int> ids, Func<int, byte[]> bytesOf, int tokenCount)
    {
        var sorted = ids.ToArray();
        var keys = sorted.Select(bytesOf).ToArray();
        Array.Sort(keys, sorted, Comparer<byte[]>.Create((a, b) => a.AsSpan().SequenceCompareTo(b)));
        var bytes = new List<byte> { 0 };
        var first = new List<int> { -1 };
        var next = new List<int> { -1 };
        var token = new List<int> { -1 };
        var lastChild = new List<int> { -1 };
        NextSameBytes = new int[tokenCount];
        Array.Fill(NextSameBytes, -1);
        var path = new List<int> { 0 };                          // nodes along the previous key
        byte[] prev = [];
        for (var t = 0; t < sorted.Length; t++)
        {
            var key = keys[t];
            var common = key.AsSpan().CommonPrefixLength(prev);
            path.RemoveRange(common + 1, path.Count - common - 1);
            for (var i = common; i < key.Length; i++)
            {
                var parent = path[^1];
                var node = bytes.Count;
                bytes.Add(key[i]); first.Add(-1); next.Add(-1); token.Add(-1); lastChild.Add(-1);
                if (lastChild[parent] < 0) first[parent] = node; else next[lastChild[parent]] = node;
                lastChild[parent] = node;
                path.Add(node);
            }
            var end = path[key.Length];
            NextSameBytes[sorted[t]] = token[end];
            token[end] = sorted[t];
            prev = key;
        }
        (Byte, FirstChild, NextSibling, FirstToken) = (bytes.ToArray(), first.ToArray(), next.ToArray(), token.ToArray());
    }

    public int NodeCount => Byte.Length;
}
