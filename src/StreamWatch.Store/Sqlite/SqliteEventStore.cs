using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;
using StreamWatch.Core.State;

namespace StreamWatch.Store.Sqlite;

/// <summary>
/// The embedded event store: one SQLite database (WAL, synchronous=NORMAL: a crash of the process
/// loses nothing committed) beside a folder of keyframe JPEGs. Each write is one transaction; a
/// keyframe file is complete on disk (written, flushed, renamed) before the row naming it commits,
/// so after <c>kill -9</c> there is no half-written event, at most an unreferenced file.
/// Writes go through one connection behind a lock; reads use their own pooled connections; the
/// write-ahead log is checkpointed by a thread of its own (<see cref="Checkpointer"/>), off the commit path.
/// Events are ordered by insertion (<c>seq</c>), which is the order their incidents began.
/// </summary>
public sealed class SqliteEventStore : IEventStore
{
    private readonly SqliteConnection _db;
    private readonly WriteCommands _write;
    private readonly Checkpointer _checkpointer;
    private readonly string _readConnection;
    private readonly object _lock = new();
    private readonly string _keyframeDir;
    private readonly StoreLimits _limits;

    /// <param name="path">The database file; keyframes go to a "keyframes" folder beside it.</param>
    public SqliteEventStore(string path, StoreLimits limits)
    {
        _limits = limits;
        var full = Path.GetFullPath(path);
        var dir = Path.GetDirectoryName(full)!;
        PrivateFiles.CreateFolder(dir); // keyframes show what the cameras see: owner only
        _keyframeDir = Path.Combine(dir, "keyframes");
        PrivateFiles.CreateFolder(_keyframeDir);
        var writer = new SqliteConnectionStringBuilder { DataSource = full, Pooling = false }.ToString();
        _db = new SqliteConnection(writer);
        _db.Open();
        Exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000; PRAGMA cache_size=-65536; " +
             $"PRAGMA wal_autocheckpoint={Checkpointer.BackstopPages};");
        Schema.Migrate(_db);
        _write = new WriteCommands(_db);
        _checkpointer = new Checkpointer(writer);
        foreach (var f in new[] { full, full + "-wal", full + "-shm" }) PrivateFiles.Restrict(f);
        _readConnection = new SqliteConnectionStringBuilder { DataSource = full, Mode = SqliteOpenMode.ReadOnly, Pooling = true }.ToString();
    }

    public string KeyframeDirectory => _keyframeDir;

    public Task RecordAlertAsync(AlertRecord alert, CancellationToken ct = default)
    {
        RecordMany([alert]);
        return Task.CompletedTask;
    }

    /// <summary>Records several lifecycle messages in one transaction (bulk import, benchmarks).</summary>
    internal void RecordMany(IEnumerable<AlertRecord> alerts)
    {
        var written = new List<string>();
        lock (_lock)
        {
            using var tx = _db.BeginTransaction();
            try
            {
                foreach (var a in alerts) Record(tx, a, written);
                tx.Commit();
                _checkpointer.Committed();
            }
            catch
            {
                foreach (var f in written) File.Delete(f);
                throw;
            }
        }
    }

    /// <summary>One lifecycle message: two statements for a message without a verdict, three with
    /// one, plus one per new keyframe and one for their count (all prepared, see <see cref="WriteCommands"/>).</summary>
    private void Record(SqliteTransaction tx, AlertRecord a, List<string> written)
    {
        var utc = a.Utc.ToUnixTimeMilliseconds();
        if (WriteCommands.Bind(_write.Recorded, tx, a.Id, a.Phase, utc, Ms(a.Offset)).ExecuteScalar() != null)
            return; // this very message was recorded before (a resend): no row changes, as in PostgreSQL
        long seq;
        int stored;
        var v = a.Verdict;
        using (var r = WriteCommands.Bind(_write.UpsertEvent, tx,
                   a.Id, a.Camera, a.Rule, a.Zone, a.Severity, a.Phase, a.Start.ToUnixTimeMilliseconds(), Ms(a.StartOffset),
                   a.End?.ToUnixTimeMilliseconds(), a.End is null ? null : Ms(a.Offset), v?.Label, v?.Confidence, v?.Description,
                   a.Unverified ? 1 : 0).ExecuteReader())
        {
            r.Read();
            seq = r.GetInt64(0);
            stored = r.GetInt32(1);
        }
        WriteCommands.Bind(_write.Lifecycle, tx, seq, a.Phase, utc, Ms(a.Offset)).ExecuteNonQuery();
        if (v != null)
            WriteCommands.Bind(_write.Verdict, tx, seq, utc, v.Label, v.Confidence, v.Description, v.Model, v.LatencyMs).ExecuteNonQuery();
        if (a.Keyframes.Count <= stored) return;
        long bytes = 0;
        for (var n = stored; n < a.Keyframes.Count; n++)
        {
            var k = a.Keyframes[n];
            var relative = Path.Combine(k.Utc.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), $"{seq}-{n}.jpg");
            var jpeg = k.Jpeg();
            var file = Path.Combine(_keyframeDir, relative);
            WriteFileAtomically(file, jpeg);
            written.Add(file);
            bytes += jpeg.Length;
            WriteCommands.Bind(_write.Keyframe, tx, seq, n, k.Utc.ToUnixTimeMilliseconds(), Ms(k.Offset), relative, jpeg.Length).ExecuteNonQuery();
        }
        WriteCommands.Bind(_write.KeyframeCount, tx, a.Keyframes.Count, bytes, seq).ExecuteNonQuery();
    }

    private static void WriteFileAtomically(string file, byte[] data)
    {
        var tmp = file + ".tmp";
        using (var fs = PrivateFiles.Open(tmp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            fs.Write(data);
            fs.Flush(flushToDisk: true);
        }
        File.Move(tmp, file, overwrite: true);
    }

    public Task RecordCameraStateAsync(CameraStateRecord s, CancellationToken ct = default)
    {
        lock (_lock)
        {
            WriteCommands.Bind(_write.CameraState, null, s.Camera, s.Utc.ToUnixTimeMilliseconds(), s.Online ? 1 : 0, s.Reason).ExecuteNonQuery();
            _checkpointer.Committed();
        }
        return Task.CompletedTask;
    }

    private const string SummaryColumns = """
        e.seq, e.id, e.camera, e.rule, e.zone, e.severity, e.phase, e.start_ms, e.start_offset_ms, e.end_ms, e.end_offset_ms,
        e.label, e.confidence, e.description, e.unverified, e.keyframes
        """;

    public Task<EventPage> SearchAsync(EventQuery q, CancellationToken ct = default)
    {
        if (q.Limit is < 1 or > EventQuery.MaxLimit) throw new ArgumentOutOfRangeException(nameof(q), $"limit must be 1..{EventQuery.MaxLimit}");
        long? before = null;
        if (q.Cursor != null)
            before = long.TryParse(q.Cursor, NumberStyles.None, CultureInfo.InvariantCulture, out var c) ? c : throw new FormatException("malformed cursor");
        var match = q.Text is null ? null : FtsQuery(q.Text);
        var sql = new StringBuilder("SELECT ").Append(SummaryColumns);
        var parameters = new List<(string, object?)>();
        // Full text: FTS5 walks its matches newest first (rowid = seq, descending), the filters apply per row.
        if (match != null)
        {
            sql.Append(" FROM events_fts f CROSS JOIN events e ON e.seq = f.rowid WHERE events_fts MATCH $match");
            parameters.Add(("$match", match));
            if (before is { } b) { sql.Append(" AND f.rowid < $before"); parameters.Add(("$before", b)); }
        }
        else
        {
            sql.Append(" FROM events e WHERE 1 = 1");
            if (before is { } b) { sql.Append(" AND e.seq < $before"); parameters.Add(("$before", b)); }
        }
        void Filter(string clause, string name, object? value)
        {
            if (value is null) return;
            sql.Append(" AND ").Append(clause);
            parameters.Add((name, value));
        }
        Filter("e.camera = $camera", "$camera", q.Camera);
        Filter("e.rule = $rule", "$rule", q.Rule);
        Filter("e.label = $label", "$label", q.Label);
        Filter("e.start_ms >= $from", "$from", q.From?.ToUnixTimeMilliseconds());
        Filter("e.start_ms < $to", "$to", q.To?.ToUnixTimeMilliseconds());
        Filter("e.confidence >= $minConfidence", "$minConfidence", q.MinConfidence);
        sql.Append(match != null ? " ORDER BY f.rowid DESC" : " ORDER BY e.seq DESC").Append(" LIMIT $limit");
        parameters.Add(("$limit", q.Limit + 1));

        using var db = OpenReader();
        using var cmd = Command(db, null, sql.ToString(), [.. parameters]);
        var items = new List<EventSummary>();
        long lastSeq = 0;
        string? next = null;
        using var r = cmd.ExecuteReader();
        while (r.Read())
        {
            if (items.Count == q.Limit) { next = lastSeq.ToString(CultureInfo.InvariantCulture); break; }
            lastSeq = r.GetInt64(0);
            items.Add(StoredRows.Summary(r));
        }
        return Task.FromResult(new EventPage(items, next));
    }

    /// <summary>Plain words become an FTS5 query that matches all of them (each quoted: no syntax errors from user text).</summary>
    internal static string? FtsQuery(string text)
    {
        var words = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        return words.Length == 0 ? null : string.Join(' ', words.Select(w => "\"" + w.Replace("\"", "\"\"") + "\""));
    }


    public Task<EventDetail?> GetAsync(string id, CancellationToken ct = default)
    {
        using var db = OpenReader();
        using var tx = db.BeginTransaction(); // one snapshot for the event and its children
        long seq;
        EventSummary summary;
        using (var cmd = Command(db, tx, $"SELECT {SummaryColumns} FROM events e WHERE e.id = $id", ("$id", id)))
        using (var r = cmd.ExecuteReader())
        {
            if (!r.Read()) return Task.FromResult<EventDetail?>(null);
            seq = r.GetInt64(0);
            summary = StoredRows.Summary(r);
        }
        var life = new List<LifecycleEntry>();
        using (var cmd = Command(db, tx, "SELECT phase, utc_ms, offset_ms FROM lifecycle WHERE event_seq = $seq ORDER BY rowid", ("$seq", seq)))
        using (var r = cmd.ExecuteReader())
            while (r.Read()) life.Add(StoredRows.Lifecycle(r));
        var verdicts = new List<StoredVerdict>();
        using (var cmd = Command(db, tx, "SELECT utc_ms, label, confidence, description, model, latency_ms FROM verdicts WHERE event_seq = $seq ORDER BY rowid", ("$seq", seq)))
        using (var r = cmd.ExecuteReader())
            while (r.Read())
                verdicts.Add(StoredRows.Verdict(r));
        var keyframes = new List<StoredKeyframe>();
        using (var cmd = Command(db, tx, "SELECT n, utc_ms, offset_ms, bytes FROM keyframes WHERE event_seq = $seq ORDER BY n", ("$seq", seq)))
        using (var r = cmd.ExecuteReader())
            while (r.Read())
                keyframes.Add(StoredRows.Keyframe(r));
        return Task.FromResult<EventDetail?>(new EventDetail(summary, life, verdicts, keyframes));
    }

    public async Task<byte[]?> ReadKeyframeAsync(string id, int index, CancellationToken ct = default)
    {
        string? file;
        using (var db = OpenReader())
        using (var cmd = Command(db, null, "SELECT k.file FROM keyframes k JOIN events e ON e.seq = k.event_seq WHERE e.id = $id AND k.n = $n",
                   ("$id", id), ("$n", index)))
            file = cmd.ExecuteScalar() as string;
        if (file is null) return null;
        try { return await File.ReadAllBytesAsync(Path.Combine(_keyframeDir, file), ct); }
        catch (FileNotFoundException) { return null; }
    }

    public Task<IReadOnlyList<CameraStateRecord>> CameraHistoryAsync(string camera, DateTimeOffset from, DateTimeOffset to, CancellationToken ct = default)
    {
        using var db = OpenReader();
        using var cmd = Command(db, null, "SELECT utc_ms, online, reason FROM camera_states WHERE camera = $camera AND utc_ms >= $from AND utc_ms < $to ORDER BY utc_ms",
            ("$camera", camera), ("$from", from.ToUnixTimeMilliseconds()), ("$to", to.ToUnixTimeMilliseconds()));
        using var r = cmd.ExecuteReader();
        var list = new List<CameraStateRecord>();
        while (r.Read()) list.Add(new(camera, DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(0)), r.GetInt64(1) != 0, r.GetString(2)));
        return Task.FromResult<IReadOnlyList<CameraStateRecord>>(list);
    }

    public Task<IReadOnlyList<EventSummary>> OpenEventsAsync(string camera, CancellationToken ct = default)
    {
        using var db = OpenReader();
        using var cmd = Command(db, null, $"SELECT {SummaryColumns} FROM events e WHERE e.camera = $camera AND e.phase <> 'end' ORDER BY e.seq",
            ("$camera", camera));
        using var r = cmd.ExecuteReader();
        var list = new List<EventSummary>();
        while (r.Read()) list.Add(StoredRows.Summary(r));
        return Task.FromResult<IReadOnlyList<EventSummary>>(list);
    }

    /// <summary>Bytes the store occupies: live database pages plus keyframe files.</summary>
    public long SizeBytes()
    {
        lock (_lock)
            return Scalar("SELECT (page_count - freelist_count) * page_size FROM pragma_page_count, pragma_freelist_count, pragma_page_size")
                + Scalar("SELECT coalesce(sum(keyframe_bytes), 0) FROM events");
    }

    public Task<RetentionResult> ApplyRetentionAsync(DateTimeOffset now, CancellationToken ct = default)
    {
        var cutoff = (now - _limits.MaxAge).ToUnixTimeMilliseconds();
        var byAge = 0;
        while (DeleteBatch("SELECT seq FROM events WHERE start_ms < $cutoff ORDER BY seq LIMIT 500", cutoff) is var n and > 0) byAge += n;
        var bySize = 0;
        while (SizeBytes() > _limits.MaxBytes && DeleteBatch("SELECT seq FROM events ORDER BY seq LIMIT 100", 0) is var n and > 0) bySize += n;
        return Task.FromResult(new RetentionResult(byAge, bySize));
    }

    /// <summary>Deletes the events the query selects (and their rows and files) in one transaction.</summary>
    private int DeleteBatch(string select, long cutoff)
    {
        var files = new List<string>();
        int deleted;
        lock (_lock)
        {
            using var tx = _db.BeginTransaction();
            var where = $"IN ({select})";
            using (var cmd = Command(tx, $"SELECT file FROM keyframes WHERE event_seq {where}", ("$cutoff", cutoff)))
            using (var r = cmd.ExecuteReader())
                while (r.Read()) files.Add(r.GetString(0));
            foreach (var table in new[] { "keyframes", "verdicts", "lifecycle" })
            {
                using var del = Command(tx, $"DELETE FROM {table} WHERE event_seq {where}", ("$cutoff", cutoff));
                del.ExecuteNonQuery();
            }
            using (var del = Command(tx, $"DELETE FROM events WHERE seq {where}", ("$cutoff", cutoff)))
                deleted = del.ExecuteNonQuery();
            tx.Commit();
            _checkpointer.Committed();
        }
        foreach (var f in files) File.Delete(Path.Combine(_keyframeDir, f));
        return deleted;
    }

    /// <summary>Caps the database at its current size, as a full disk would (SQLITE_FULL); for the test of that.</summary>
    internal void LimitPages()
    {
        lock (_lock) Exec("PRAGMA max_page_count = " + Scalar("PRAGMA page_count"));
    }

    private SqliteConnection OpenReader()
    {
        var db = new SqliteConnection(_readConnection);
        db.Open();
        return db;
    }

    private SqliteCommand Command(SqliteTransaction? tx, string sql, params (string Name, object? Value)[] parameters) =>
        Command(_db, tx, sql, parameters);

    private static SqliteCommand Command(SqliteConnection db, SqliteTransaction? tx, string sql, params (string Name, object? Value)[] parameters)
    {
        var cmd = db.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        foreach (var (name, value) in parameters) cmd.Parameters.AddWithValue(name, value ?? DBNull.Value);
        return cmd;
    }

    private static long Ms(TimeSpan t) => (long)t.TotalMilliseconds;

    private long Scalar(string sql)
    {
        using var cmd = Command(null, sql);
        return Convert.ToInt64(cmd.ExecuteScalar());
    }

    private void Exec(string sql)
    {
        using var cmd = Command(null, sql);
        cmd.ExecuteNonQuery();
    }

    public void Dispose()
    {
        _checkpointer.Dispose();
        _write.Dispose();
        _db.Dispose();
    }
}

/// <summary>Retention limits: events older than MaxAge go, then the oldest until the store is under MaxBytes.</summary>
public sealed record StoreLimits(TimeSpan MaxAge, long MaxBytes);
