using Microsoft.Data.Sqlite;
using StreamWatch.Core.State;

namespace StreamWatch.Mqtt.Outbox;

/// <param name="Camera">With <paramref name="MotionOnset"/>: the alert's camera and rule, the labels of the onset → publish latency.</param>
public sealed record OutboxMessage(string Topic, byte[] Payload, bool Retain, DateTimeOffset? MotionOnset = null, string? Camera = null, string? Rule = null);

public sealed record OutboxRow(long Id, string Topic, byte[] Payload, bool Retain, long CreatedMs, long? OnsetMs, string? Camera = null, string? Rule = null);

/// <summary>An alert that opened (<paramref name="LastEvent"/>: its latest event payload) or closed (null).</summary>
public sealed record OpenAlertChange(string Id, byte[]? LastEvent);

/// <summary>
/// Durable, bounded, ordered store of alert messages not yet acknowledged by the broker.
/// WAL with synchronous=FULL: every enqueue is fsync'd before it returns, so an alert survives a
/// crash and a power cut (NORMAL in WAL mode survives a crash but may lose the last commits on power
/// loss). Alerts are rare, so one fsync each costs nothing that matters; acknowledgements are
/// deleted in batches. When full, the OLDEST messages are dropped: fresh alerts matter most once
/// the broker is back. It also records which alerts are open (their latest event payload), in the
/// same transaction as their messages, so that a restart after a crash can end them.
/// Thread-safe (one connection behind a lock).
/// </summary>
public sealed class SqliteOutbox : IDisposable
{
    private readonly SqliteConnection _db;
    private readonly object _lock = new();
    private readonly int _capacity;
    private long _count;
    private long _oldestMs = -1; // created_ms of the oldest waiting message, -1 when empty

    public SqliteOutbox(string path, int capacity)
    {
        _capacity = capacity;
        // SQLite creates -wal and -shm with the database file's mode: create that one 0600 first.
        using (PrivateFiles.Open(path, FileMode.OpenOrCreate, FileAccess.Write)) { }
        PrivateFiles.Restrict(path + "-wal");
        PrivateFiles.Restrict(path + "-shm");
        _db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        _db.Open();
        Exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;");
        Exec("""
            CREATE TABLE IF NOT EXISTS outbox(
              id INTEGER PRIMARY KEY AUTOINCREMENT, topic TEXT NOT NULL, payload BLOB NOT NULL,
              retain INTEGER NOT NULL, created_ms INTEGER NOT NULL, onset_ms INTEGER);
            CREATE TABLE IF NOT EXISTS open_alert(id TEXT PRIMARY KEY, payload BLOB NOT NULL);
            """);
        using (var columns = _db.CreateCommand())
        {
            // camera and rule came later: an outbox written by an older version gets them (empty for its rows)
            columns.CommandText = "SELECT COUNT(*) FROM pragma_table_info('outbox') WHERE name = 'camera'";
            if ((long)columns.ExecuteScalar()! == 0) Exec("ALTER TABLE outbox ADD COLUMN camera TEXT; ALTER TABLE outbox ADD COLUMN rule TEXT;");
        }
        using var cmd = _db.CreateCommand();
        cmd.CommandText = "SELECT COUNT(*) FROM outbox";
        _count = (long)cmd.ExecuteScalar()!;
        ReadOldest();
    }

    public long Count => Interlocked.Read(ref _count);
    public int Capacity => _capacity;

    /// <summary>How long the oldest waiting message has waited (zero when the outbox is empty).</summary>
    public TimeSpan OldestAge(DateTimeOffset now)
    {
        var oldest = Interlocked.Read(ref _oldestMs);
        return oldest < 0 ? TimeSpan.Zero : TimeSpan.FromMilliseconds(Math.Max(0, now.ToUnixTimeMilliseconds() - oldest));
    }

    /// <summary>
    /// Stores messages atomically, in order, with the open-alert change they carry (if any).
    /// Returns how many old messages were dropped to make room.
    /// </summary>
    public int Enqueue(IReadOnlyList<OutboxMessage> messages, DateTimeOffset now, OpenAlertChange? open = null)
    {
        lock (_lock)
        {
            using var tx = _db.BeginTransaction();
            using var ins = _db.CreateCommand();
            ins.Transaction = tx;
            ins.CommandText = "INSERT INTO outbox(topic, payload, retain, created_ms, onset_ms, camera, rule) VALUES ($t, $p, $r, $c, $o, $cam, $rule)";
            var t = ins.Parameters.Add("$t", SqliteType.Text);
            var p = ins.Parameters.Add("$p", SqliteType.Blob);
            var r = ins.Parameters.Add("$r", SqliteType.Integer);
            var c = ins.Parameters.Add("$c", SqliteType.Integer);
            var o = ins.Parameters.Add("$o", SqliteType.Integer);
            var cam = ins.Parameters.Add("$cam", SqliteType.Text);
            var rule = ins.Parameters.Add("$rule", SqliteType.Text);
            foreach (var m in messages)
            {
                t.Value = m.Topic; p.Value = m.Payload; r.Value = m.Retain ? 1 : 0;
                c.Value = now.ToUnixTimeMilliseconds();
                o.Value = m.MotionOnset is { } onset ? onset.ToUnixTimeMilliseconds() : DBNull.Value;
                cam.Value = (object?)m.Camera ?? DBNull.Value;
                rule.Value = (object?)m.Rule ?? DBNull.Value;
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
            if (open != null)
            {
                using var upd = _db.CreateCommand();
                upd.Transaction = tx;
                upd.CommandText = open.LastEvent is null ? "DELETE FROM open_alert WHERE id = $id"
                    : "INSERT INTO open_alert(id, payload) VALUES ($id, $p) ON CONFLICT(id) DO UPDATE SET payload = $p";
                upd.Parameters.AddWithValue("$id", open.Id);
                if (open.LastEvent is { } last) upd.Parameters.AddWithValue("$p", last);
                upd.ExecuteNonQuery();
            }
            tx.Commit();
            _count += messages.Count - dropped;
            ReadOldest();
            return dropped;
        }
    }

    /// <summary>The oldest messages with an id above <paramref name="afterId"/>, in order.</summary>
    public List<OutboxRow> ReadAfter(long afterId, int limit)
    {
        lock (_lock)
        {
            using var cmd = _db.CreateCommand();
            cmd.CommandText = "SELECT id, topic, payload, retain, created_ms, onset_ms, camera, rule FROM outbox WHERE id > $a ORDER BY id LIMIT $n";
            cmd.Parameters.AddWithValue("$a", afterId);
            cmd.Parameters.AddWithValue("$n", limit);
            using var rd = cmd.ExecuteReader();
            var rows = new List<OutboxRow>();
            while (rd.Read())
                rows.Add(new OutboxRow(rd.GetInt64(0), rd.GetString(1), (byte[])rd[2], rd.GetInt64(3) != 0, rd.GetInt64(4),
                    rd.IsDBNull(5) ? null : rd.GetInt64(5), rd.IsDBNull(6) ? null : rd.GetString(6), rd.IsDBNull(7) ? null : rd.GetString(7)));
            return rows;
        }
    }

    /// <summary>Alerts recorded as open (id, latest event payload), oldest first.</summary>
    public List<(string Id, byte[] LastEvent)> OpenAlerts()
    {
        lock (_lock)
        {
            using var cmd = _db.CreateCommand();
            cmd.CommandText = "SELECT id, payload FROM open_alert ORDER BY rowid";
            using var rd = cmd.ExecuteReader();
            var rows = new List<(string, byte[])>();
            while (rd.Read()) rows.Add((rd.GetString(0), (byte[])rd[1]));
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
            ReadOldest();
        }
    }

    private void ReadOldest()
    {
        using var cmd = _db.CreateCommand();
        cmd.CommandText = "SELECT created_ms FROM outbox ORDER BY id LIMIT 1";
        Interlocked.Exchange(ref _oldestMs, cmd.ExecuteScalar() is long ms ? ms : -1);
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
