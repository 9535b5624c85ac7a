namespace StreamWatch.Mqtt.Outbox;

/// <summary>
/// Which outbox rows are handed to the client and not yet acknowledged, and whether more may be
/// sent. Keeps strict order across reconnects: a connection loss forgets what was in flight and
/// moves the cursor back to the start, so the next connection resends the outbox oldest first
/// (acknowledged rows are deleted, so everything left is unacknowledged). Pure.
/// </summary>
public sealed class InflightWindow(int capacity)
{
    private readonly Dictionary<int, long> _rowByMid = new();

    /// <summary>Highest row id handed to the client; the next read starts after it.</summary>
    public long Cursor { get; private set; }
    public int Count => _rowByMid.Count;

    public int Room(bool connected) => connected ? Math.Max(0, capacity - _rowByMid.Count) : 0;

    public void Sent(int mid, long rowId)
    {
        _rowByMid[mid] = rowId;
        if (rowId > Cursor) Cursor = rowId;
    }

    /// <summary>The row a PUBACK acknowledges, or null when the mid is not an outbox message in flight.</summary>
    public long? Acked(int mid) => _rowByMid.Remove(mid, out var row) ? row : null;

    /// <summary>Nothing in flight survives a connection loss: resend from the oldest row.</summary>
    public void Disconnected()
    {
        _rowByMid.Clear();
        Cursor = 0;
    }

    /// <summary>A row the client rejected outright (bad topic, too large): skip it.</summary>
    public void Skipped(long rowId)
    {
        if (rowId > Cursor) Cursor = rowId;
    }
}
