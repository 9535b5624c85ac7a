using System.Globalization;
using System.Text;
using Npgsql;
using StreamWatch.Core.Config;
using StreamWatch.Store.Sqlite;

namespace StreamWatch.Store.Postgres;

/// <summary>
/// The shared event store: PostgreSQL (Npgsql), the same meaning as the SQLite store, for several
/// nodes at once. Each call is one transaction. Recording is idempotent under at-least-once
/// delivery: the same lifecycle message twice (two nodes ending one incident, a resend) adds no row;
/// an ended incident stays ended. Keyframe JPEGs live in the database (bytea).
/// </summary>
public sealed class PostgresEventStore : IEventStore
{
    private readonly NpgsqlDataSource _db;
    private readonly StoreLimits _limits;

    private PostgresEventStore(NpgsqlDataSource db, StoreLimits limits) { _db = db; _limits = limits; }

    /// <summary>
    /// Connects and migrates the schema. Pooled connections are not reset on return (Npgsql's
    /// DISCARD ALL, which also drops record_alert's cached plans): the store sets no session state
    /// (its advisory lock is transaction-scoped). Measured in docs/benchmarks.md.
    /// </summary>
    public static async Task<PostgresEventStore> OpenAsync(string connectionString, StoreLimits limits, CancellationToken ct = default)
    {
        var pooled = new NpgsqlConnectionStringBuilder(connectionString) { NoResetOnClose = true }.ConnectionString;
        var store = new PostgresEventStore(NpgsqlDataSource.Create(pooled), limits);
        try
        {
            await using var db = await store._db.OpenConnectionAsync(ct);
            await PgSchema.MigrateAsync(db, ct: ct);
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or System.Net.Sockets.SocketException)
        {
            store.Dispose();
            throw new UnavailableException($"Store:ConnectionString: cannot open PostgreSQL {Where(connectionString)}: " +
                PgConnection.Redact(e.GetBaseException().Message) + " (connection string not shown: it may hold a password)", e);
        }
        catch { store.Dispose(); throw; }
        return store;
    }

    /// <summary>host:port of a connection string, never its other parts.</summary>
    private static string Where(string connectionString)
    {
        var b = new NpgsqlConnectionStringBuilder(connectionString);
        return $"at {b.Host}:{b.Port}";
    }

    /// <summary>
    /// One round trip (<c>record_alert</c>, schema migration 3) for a message without keyframes; with
    /// keyframes, a transaction of that call and one insert of the keyframes not yet stored, whose
    /// JPEGs alone are encoded.
    /// </summary>
    public async Task RecordAlertAsync(AlertRecord a, CancellationToken ct = default)
    {
        await using var db = await _db.OpenConnectionAsync(ct);
        if (a.Keyframes.Count == 0) { await RecordAsync(db, null, a, ct); return; }
        await using var tx = await db.BeginTransactionAsync(ct);
        await RecordAsync(db, tx, a, ct);
        await tx.CommitAsync(ct);
    }

    /// <summary>Several lifecycle messages in one transaction (benchmarks, bulk import).</summary>
    internal async Task RecordManyAsync(IEnumerable<AlertRecord> alerts, CancellationToken ct = default)
    {
        await using var db = await _db.OpenConnectionAsync(ct);
        await using var tx = await db.BeginTransactionAsync(ct);
        foreach (var a in alerts) await RecordAsync(db, tx, a, ct);
        await tx.CommitAsync(ct);
    }

    private static async Task RecordAsync(NpgsqlConnection db, NpgsqlTransaction? tx, AlertRecord a, CancellationToken ct)
    {
        long seq;
        int stored;
        await using (var record = Cmd(db, tx, """
            SELECT recorded_seq, known_keyframes FROM record_alert(@id, @camera, @rule, @zone, @severity, @phase, @start, @startOffset,
              @end, @endOffset, @utc, @offset, @label, @confidence, @description, @model, @latency, @unverified)
            """, AlertParameters(a)))
        await using (var r = await record.ExecuteReaderAsync(ct))
        {
            if (!await r.ReadAsync(ct)) return; // this very message was recorded before
            (seq, stored) = (r.GetInt64(0), r.GetInt32(1));
        }
        if (a.Keyframes.Count <= stored) return;
        var fresh = a.Keyframes.Skip(stored).ToArray();
        await using var kf = Cmd(db, tx, """
            WITH added AS (
              INSERT INTO keyframes SELECT @seq, @first + k.i - 1, k.utc, k.off, octet_length(k.jpeg), k.jpeg
                FROM unnest(@utc, @offset, @jpeg) WITH ORDINALITY AS k(utc, off, jpeg, i)
                ON CONFLICT DO NOTHING RETURNING bytes)
            UPDATE events SET keyframes = greatest(keyframes, @count), keyframe_bytes = keyframe_bytes + (SELECT coalesce(sum(bytes), 0) FROM added)
              WHERE seq = @seq
            """, ("seq", seq), ("first", stored), ("count", a.Keyframes.Count),
            ("utc", fresh.Select(k => k.Utc.ToUnixTimeMilliseconds()).ToArray()), ("offset", fresh.Select(k => Ms(k.Offset)).ToArray()),
            ("jpeg", fresh.Select(k => k.Jpeg()).ToArray()));
        await kf.ExecuteNonQueryAsync(ct);
    }

    private static (string, object?)[] AlertParameters(AlertRecord a) =>
    [
        ("id", a.Id), ("camera", a.Camera), ("rule", a.Rule), ("zone", a.Zone), ("severity", a.Severity), ("phase", a.Phase),
        ("start", a.Start.ToUnixTimeMilliseconds()), ("startOffset", Ms(a.StartOffset)),
        ("end", a.End?.ToUnixTimeMilliseconds()), ("endOffset", a.End is null ? null : Ms(a.Offset)),
        ("utc", a.Utc.ToUnixTimeMilliseconds()), ("offset", Ms(a.Offset)),
        ("label", a.Verdict?.Label), ("confidence", a.Verdict?.Confidence), ("description", a.Verdict?.Description),
        ("model", a.Verdict?.Model), ("latency", a.Verdict?.LatencyMs), ("unverified", a.Unverified),
    ];

    public async Task RecordCameraStateAsync(CameraStateRecord s, CancellationToken ct = default)
    {
        await using var db = await _db.OpenConnectionAsync(ct);
        await using var cmd = Cmd(db, null, "INSERT INTO camera_states VALUES (@camera, @utc, @online, @reason) ON CONFLICT DO NOTHING",
            ("camera", s.Camera), ("utc", s.Utc.ToUnixTimeMilliseconds()), ("online", s.Online), ("reason", s.Reason));
        await cmd.ExecuteNonQueryAsync(ct);
    }

    private const string SummaryColumns = """
        e.seq, e.id, e.camera, e.rule, e.zone, e.severity, e.phase, e.start_ms, e.start_offset_ms, e.end_ms, e.end_offset_ms,
        e.label, e.confidence, e.description, e.unverified, e.keyframes
        """;

    public async Task<EventPage> SearchAsync(EventQuery q, CancellationToken ct = default)
    {
        if (q.Limit is < 1 or > EventQuery.MaxLimit) throw new ArgumentOutOfRangeException(nameof(q), $"limit must be 1..{EventQuery.MaxLimit}");
        long? before = null;
        if (q.Cursor != null)
            before = long.TryParse(q.Cursor, NumberStyles.None, CultureInfo.InvariantCulture, out var c) ? c : throw new FormatException("malformed cursor");
        var sql = new StringBuilder("SELECT ").Append(SummaryColumns).Append(" FROM events e WHERE true");
        var parameters = new List<(string, object?)>();
        void Filter(string clause, string name, object? value)
        {
            if (value is null) return;
            sql.Append(" AND ").Append(clause);
            parameters.Add((name, value));
        }
        // Plain words, all of which must match; plainto_tsquery never reads user text as query syntax.
        var words = q.Text?.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        Filter("e.search @@ plainto_tsquery('simple', @text)", "text", words is { Length: > 0 } ? string.Join(' ', words) : null);
        Filter("e.seq < @before", "before", before);
        Filter("e.camera = @camera", "camera", q.Camera);
        Filter("e.rule = @rule", "rule", q.Rule);
        Filter("e.label = @label", "label", q.Label);
        Filter("e.start_ms >= @from", "from", q.From?.ToUnixTimeMilliseconds());
        Filter("e.start_ms < @to", "to", q.To?.ToUnixTimeMilliseconds());
        Filter("e.confidence >= @minConfidence", "minConfidence", q.MinConfidence);
        sql.Append(" ORDER BY e.seq DESC LIMIT @limit");
        parameters.Add(("limit", q.Limit + 1));

        await using var db = await _db.OpenConnectionAsync(ct);
        await using var cmd = Cmd(db, null, sql.ToString(), [.. parameters]);
        var items = new List<EventSummary>();
        long lastSeq = 0;
        string? next = null;
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            if (items.Count == q.Limit) { next = lastSeq.ToString(CultureInfo.InvariantCulture); break; }
            lastSeq = r.GetInt64(0);
            items.Add(StoredRows.Summary(r));
        }
        return new EventPage(items, next);
    }


    public async Task<EventDetail?> GetAsync(string id, CancellationToken ct = default)
    {
        await using var db = await _db.OpenConnectionAsync(ct);
        await using var tx = await db.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, ct); // one snapshot
        long seq;
        EventSummary summary;
        await using (var cmd = Cmd(db, tx, $"SELECT {SummaryColumns} FROM events e WHERE e.id = @id", ("id", id)))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
        {
            if (!await r.ReadAsync(ct)) return null;
            seq = r.GetInt64(0);
            summary = StoredRows.Summary(r);
        }
        var life = new List<LifecycleEntry>();
        await using (var cmd = Cmd(db, tx, "SELECT phase, utc_ms, offset_ms FROM lifecycle WHERE event_seq = @seq ORDER BY pos", ("seq", seq)))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
            while (await r.ReadAsync(ct)) life.Add(StoredRows.Lifecycle(r));
        var verdicts = new List<StoredVerdict>();
        await using (var cmd = Cmd(db, tx, "SELECT utc_ms, label, confidence, description, model, latency_ms FROM verdicts WHERE event_seq = @seq ORDER BY pos", ("seq", seq)))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
            while (await r.ReadAsync(ct))
                verdicts.Add(StoredRows.Verdict(r));
        var keyframes = new List<StoredKeyframe>();
        await using (var cmd = Cmd(db, tx, "SELECT n, utc_ms, offset_ms, bytes FROM keyframes WHERE event_seq = @seq ORDER BY n", ("seq", seq)))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
            while (await r.ReadAsync(ct))
                keyframes.Add(StoredRows.Keyframe(r));
        await tx.CommitAsync(ct);
        return new EventDetail(summary, life, verdicts, keyframes);
    }

    public async Task<byte[]?> ReadKeyframeAsync(string id, int index, CancellationToken ct = default)
    {
        await using var db = await _db.OpenConnectionAsync(ct);
        await using var cmd = Cmd(db, null, "SELECT k.jpeg FROM keyframes k JOIN events e ON e.seq = k.event_seq WHERE e.id = @id AND k.n = @n",
            ("id", id), ("n", index));
        return await cmd.ExecuteScalarAsync(ct) as byte[];
    }

    public async Task<IReadOnlyList<CameraStateRecord>> CameraHistoryAsync(string camera, DateTimeOffset from, DateTimeOffset to, CancellationToken ct = default)
    {
        await using var db = await _db.OpenConnectionAsync(ct);
        await using var cmd = Cmd(db, null, "SELECT utc_ms, online, reason FROM camera_states WHERE camera = @camera AND utc_ms >= @from AND utc_ms < @to ORDER BY utc_ms",
            ("camera", camera), ("from", from.ToUnixTimeMilliseconds()), ("to", to.ToUnixTimeMilliseconds()));
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var list = new List<CameraStateRecord>();
        while (await r.ReadAsync(ct)) list.Add(new(camera, DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(0)), r.GetBoolean(1), r.GetString(2)));
        return list;
    }

    public async Task<IReadOnlyList<EventSummary>> OpenEventsAsync(string camera, CancellationToken ct = default)
    {
        await using var db = await _db.OpenConnectionAsync(ct);
        await using var cmd = Cmd(db, null, $"SELECT {SummaryColumns} FROM events e WHERE e.camera = @camera AND e.phase <> 'end' ORDER BY e.seq", ("camera", camera));
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var list = new List<EventSummary>();
        while (await r.ReadAsync(ct)) list.Add(StoredRows.Summary(r));
        return list;
    }

    /// <summary>
    /// Each event's size: its row and its lifecycle, verdict and keyframe rows (JPEGs included) as
    /// stored (<c>pg_column_size</c>). Indexes and free space are not counted: PostgreSQL reuses the
    /// space of deleted rows (autovacuum) rather than shrinking its files.
    /// </summary>
    private const string SizedEvents = """
        sized AS (SELECT e.seq, pg_column_size(e.*)::bigint
            + coalesce((SELECT sum(pg_column_size(l.*)) FROM lifecycle l WHERE l.event_seq = e.seq), 0)
            + coalesce((SELECT sum(pg_column_size(v.*)) FROM verdicts v WHERE v.event_seq = e.seq), 0)
            + coalesce((SELECT sum(pg_column_size(k.*)) FROM keyframes k WHERE k.event_seq = e.seq), 0) AS b
          FROM events e)
        """;

    /// <summary>The store's size as retention measures it (see <see cref="SizedEvents"/>).</summary>
    public async Task<long> SizeBytesAsync(CancellationToken ct = default)
    {
        await using var db = await _db.OpenConnectionAsync(ct);
        await using var cmd = Cmd(db, null, $"WITH {SizedEvents} SELECT coalesce(sum(b), 0)::bigint FROM sized");
        return (long)(await cmd.ExecuteScalarAsync(ct))!;
    }

    public async Task<RetentionResult> ApplyRetentionAsync(DateTimeOffset now, CancellationToken ct = default)
    {
        await using var db = await _db.OpenConnectionAsync(ct);
        await using var tx = await db.BeginTransactionAsync(ct);
        int byAge, bySize;
        await using (var age = Cmd(db, tx, "DELETE FROM events WHERE start_ms < @cutoff", ("cutoff", (now - _limits.MaxAge).ToUnixTimeMilliseconds())))
            byAge = await age.ExecuteNonQueryAsync(ct);
        // Oldest first: every event before which the rest would still exceed the limit goes.
        await using (var size = Cmd(db, tx, $"""
            WITH {SizedEvents},
            run AS (SELECT seq, b, sum(b) OVER (ORDER BY seq) AS cum, sum(b) OVER () AS total FROM sized)
            DELETE FROM events WHERE seq IN (SELECT seq FROM run WHERE total - cum + b > @max)
            """, ("max", _limits.MaxBytes)))
            bySize = await size.ExecuteNonQueryAsync(ct);
        await tx.CommitAsync(ct);
        return new RetentionResult(byAge, bySize);
    }

    private static NpgsqlCommand Cmd(NpgsqlConnection db, NpgsqlTransaction? tx, string sql, params (string Name, object? Value)[] parameters)
    {
        var cmd = new NpgsqlCommand(sql, db, tx);
        foreach (var (name, value) in parameters) cmd.Parameters.AddWithValue(name, value ?? DBNull.Value);
        return cmd;
    }

    private static long Ms(TimeSpan t) => (long)t.TotalMilliseconds;

    public void Dispose() => _db.Dispose();
}
