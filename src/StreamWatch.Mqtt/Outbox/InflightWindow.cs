namespace StreamWatch.Mqtt.Outbox;

/// <summary>
/// Which outbox rows are handed to the client and not yet acknowledged, and whether more may be
/// sent. Keeps strict order across reconnects: after a connection loss the client resends what it
/// already holds (oldest first), so nothing newer is sent until all of those are acknowledged. Pure.
/// </summary>
public sealed class InflightWindow(int capacity)
{
    private readonly Dictionary<int, long> _rowByMid = new();
    private bool _barrier;

    /// <summary>Highest row id handed to the client; the next read starts after it.</summary>
    public long Cursor { get; private set; }
    public int Count => _rowByMid.Count;
    public bool Barrier => _barrier;

    public int Room(bool connected) => connected && !_barrier ? Math.Max(0, capacity - _rowByMid.Count) : 0;

    public void Sent(int mid, long rowId)
    {
        _rowByMid[mid] = rowId;
        if (rowId > Cursor) Cursor = rowId;
    }

    /// <summary>The row a PUBACK acknowledges, or null when the mid is not an outbox message.</summary>
    public long? Acked(int mid)
    {
        if (!_rowByMid.Remove(mid, out var row)) return null;
        if (_rowByMid.Count == 0) _barrier = false;
        return row;
    }

    public void Disconnected()
    {
        if (_rowByMid.Count > 0) _barrier = true;
    }

    /// <summary>A row the client rejected outright (bad topic, too large): skip it.</summary>
    public void Skipped(long rowId)
    {
        if (rowId > Cursor) Cursor = rowId;
    }
}
