namespace StreamWatch.Inference.Qwen3Vl;

/// <summary>The GPT-2 byte→unicode table used by byte-level BPE vocabularies.</summary>
internal static class ByteLevel
{
    /// <summary>Char for each byte.</summary>
    public static readonly char[] ByteToUnicode = Build();

    /// <summary>Byte for each char below U+0144, or -1.</summary>
    public static readonly short[] UnicodeToByte = Invert(ByteToUnicode);

    private static char[] Build()
    {
        var map = new char[256];
        var n = 0;
        for (var b = 0; b < 256; b++)
        {
            var printable = b is >= 33 and <= 126 or >= 161 and <= 172 or >= 174 and <= 255;
            map[b] = printable ? (char)b : (char)(256 + n++);
        }
        return map;
    }

    private static short[] Invert(char[] map)
    {
        var inv = new short[256 + 68];
        Array.Fill(inv, (short)-1);
        for (var b = 0; b < 256; b++) inv[map[b]] = (short)b;
        return inv;
    }

    public static string ToUnicode(ReadOnlySpan<byte> bytes)
    {
        Span<char> buf = bytes.Length <= 256 ? stackalloc char[bytes.Length] : new char[bytes.Length];
        for (var i = 0; i < bytes.Length; i++) buf[i] = ByteToUnicode[bytes[i]];
        return new string(buf);
    }
}
