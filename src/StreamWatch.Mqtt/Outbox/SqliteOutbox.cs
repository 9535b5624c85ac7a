using Microsoft.Data.Sqlite;

namespace StreamWatch.Mqtt.Outbox;

public sealed record OutboxMessage(string Topic, byte[] Payload, bool Retain, DateTimeOffset? MotionOnset = null);

public sealed record OutboxRow(long Id, string Topic, byte[] Payload, bool Retain, long CreatedMs, long? OnsetMs);

/// <summary>
/// Durable, bounded, ordered store of alert messages not yet acknowledged by the broker.
/// WAL with synchronous=FULL: every enqueue is fsync'd before it returns, so an alert survives a
/// crash and a power cut (NORMAL in WAL mode survives a crash but may lose the last commits on power
/// loss). Alerts are rare, so one fsync each costs nothing that matters; acknowledgements are
/// deleted in batches. When full, the OLDEST messages are dropped: fresh alerts matter most once
/// the broker is back. Thread-safe (one connection behind a lock).
/// </summary>
public sealed class SqliteOutbox : IDisposable
{
    private readonly SqliteConnection _db;
    private readonly object _lock = new();
    private readonly int _capacity;
    private long _count;

    public SqliteOutbox(string path, int capacity)
    {
        _capacity = capacity;
        var dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir != null) Directory.CreateDirectory(dir);
        _db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        _db.Open();
        Exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;");
        Exec("""
            CREATE TABLE IF NOT EXISTS outbox(
              id INTEGER PRIMARY KEY AUTOINCREMENT, topic TEXT NOT NULL, payload BLOB NOT NULL,
              retain INTEGER NOT NULL, created_ms INTEGER NOT NULL, onset_ms INTEGER);
            """);
        using var cmd = _db.CreateCommand();
        cmd.CommandText = "SELECT COUNT(*) FROM outbox";
        _count = (long)cmd.ExecuteScalar()!;
    }

    public long Count => Interlocked.Read(ref _count);
    public int Capacity => _capacity;

    /// <summary>Stores messages atomically, in order. Returns how many old messages were dropped to make room.</summary>
    public int Enqueue(IReadOnlyList<OutboxMessage> messages, DateTimeOffset now)
    {
        lock (_lock)
        {
            using var tx = _db.BeginTransaction();
            using var ins = _db.CreateCommand();
            ins.Transaction = tx;
            ins.CommandText = "INSERT INTO outbox(topic, payload, retain, created_ms, onset_ms) VALUES ($t, $p, $r, $c, $o)";
            var t = ins.Parameters.Add("$t", SqliteType.Text);
            var p = ins.Parameters.Add("$p", SqliteType.Blob);
            var r = ins.Parameters.Add("$r", SqliteType.Integer);
            var c = ins.Parameters.Add("$c", SqliteType.Integer);
            var o = ins.Parameters.Add("$o", SqliteType.Integer);
            foreach (var m in messages)
            {
                t.Value = m.Topic; p.Value = m.Payload; r.Value = m.Retain ? 1 : 0;
                c.Value = now.ToUnixTimeMilliseconds();
                o.Value = m.MotionOnset is { } onset ? onset.ToUnixTimeMilliseconds() : DBNull.Value;
                ins.ExecuteNonQuery();
            }
            var excess = _count + messages.Count - _capacity;
            var dropped = 0;
            if (excess > 0)
            {
                using var del = _db.CreateCommand();
                del.Transaction = tx;
                del.CommandText = "DELETE FROM outbox WHERE id IN (SELECT id FROM outbox ORDER BY id LIMIT $n)";
                del.Parameters.AddWithValue("$n", excess);
                dropped = del.ExecuteNonQuery();
            }
            tx.Commit();
            _count += messages.Count - dropped;
            return dropped;
        }
    }

    /// <summary>The oldest messages with an id above <paramref name="afterId"/>, in order.</summary>
    public List<OutboxRow> ReadAfter(long afterId, int limit)
    {
        lock (_lock)
        {
            using var cmd = _db.CreateCommand();
            cmd.CommandText = "SELECT id, topic, payload, retain, created_ms, onset_ms FROM outbox WHERE id > $a ORDER BY id LIMIT $n";
            cmd.Parameters.AddWithValue("$a", afterId);
            cmd.Parameters.AddWithValue("$n", limit);
            using var rd = cmd.ExecuteReader();
            var rows = new List<OutboxRow>();
            while (rd.Read())
                rows.Add(new OutboxRow(rd.GetInt64(0), rd.GetString(1), (byte[])rd[2], rd.GetInt64(3) != 0, rd.GetInt64(4),
                    rd.IsDBNull(5) ? null : rd.GetInt64(5)));
            return rows;
        }
    }

    /// <summary>Removes acknowledged messages (ids already gone are ignored) in one transaction.</summary>
    public void Delete(IReadOnlyCollection<long> ids)
    {
        if (ids.Count == 0) return;
        lock (_lock)
        {
            using var tx = _db.BeginTransaction();
            using var cmd = _db.CreateCommand();
            cmd.Transaction = tx;
            cmd.CommandText = "DELETE FROM outbox WHERE id = $id";
            var id = cmd.Parameters.Add("$id", SqliteType.Integer);
            var n = 0;
            foreach (var i in ids) { id.Value = i; n += cmd.ExecuteNonQuery(); }
            tx.Commit();
            _count -= n;
        }
    }

    private void Exec(string sql)
    {
        using var cmd = _db.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    public void Dispose()
    {
        lock (_lock) _db.Dispose();
    }
}
