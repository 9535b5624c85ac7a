using Microsoft.Data.Sqlite;

namespace StreamWatch.Store.Sqlite;

/// <summary>
/// The write statements, prepared once on the writer connection and reused with their parameters
/// re-bound (a fresh SqliteCommand per statement cost about half of each insert's time).
/// Values bind in the order the parameter names are listed. Used only under the store's write lock.
/// </summary>
internal sealed class WriteCommands : IDisposable
{
    /// <summary>
    /// Creates the incident or updates its state; returns its seq and how many keyframes are stored.
    /// An ended incident stays ended: a late message (a resend, a previous owner's) cannot reopen it.
    /// </summary>
    public readonly SqliteCommand UpsertEvent;
    public readonly SqliteCommand Lifecycle;
    /// <summary>Non-null when this lifecycle message (id, phase, time, offset) is stored already.</summary>
    public readonly SqliteCommand Recorded;
    /// <summary>Appends a verdict unless it equals the event's latest one (a lifecycle message repeats its verdict).</summary>
    public readonly SqliteCommand Verdict;
    public readonly SqliteCommand Keyframe;
    public readonly SqliteCommand KeyframeCount;
    public readonly SqliteCommand CameraState;

    public WriteCommands(SqliteConnection db)
    {
        UpsertEvent = Make(db, """
            INSERT INTO events(id, camera, rule, zone, severity, phase, start_ms, start_offset_ms, end_ms, end_offset_ms,
              label, confidence, description, unverified)
            VALUES ($id, $camera, $rule, $zone, $severity, $phase, $start, $startOffset, $end, $endOffset, $label, $confidence, $description, $unverified)
            ON CONFLICT(id) DO UPDATE SET zone = coalesce(excluded.zone, zone),
              severity = CASE WHEN phase = 'end' THEN severity ELSE excluded.severity END,
              phase = CASE WHEN phase = 'end' THEN phase ELSE excluded.phase END,
              end_ms = CASE WHEN phase = 'end' THEN end_ms ELSE excluded.end_ms END,
              end_offset_ms = CASE WHEN phase = 'end' THEN end_offset_ms ELSE excluded.end_offset_ms END,
              label = coalesce(excluded.label, label), confidence = coalesce(excluded.confidence, confidence),
              description = coalesce(excluded.description, description), unverified = excluded.unverified
            RETURNING seq, keyframes
            """, "$id", "$camera", "$rule", "$zone", "$severity", "$phase", "$start", "$startOffset", "$end", "$endOffset",
            "$label", "$confidence", "$description", "$unverified");
        Recorded = Make(db, """
            SELECT 1 FROM events e JOIN lifecycle l ON l.event_seq = e.seq
            WHERE e.id = $id AND l.phase = $phase AND l.utc_ms = $utc AND l.offset_ms = $offset
            """, "$id", "$phase", "$utc", "$offset");
        Lifecycle = Make(db, "INSERT INTO lifecycle VALUES ($seq, $phase, $utc, $offset)", "$seq", "$phase", "$utc", "$offset");
        Verdict = Make(db, """
            INSERT INTO verdicts SELECT $seq, $utc, $label, $confidence, $description, $model, $latency
            WHERE NOT EXISTS (SELECT 1 FROM (SELECT label, confidence, description FROM verdicts WHERE event_seq = $seq ORDER BY rowid DESC LIMIT 1)
                              WHERE label = $label AND confidence = $confidence AND description IS $description)
            """, "$seq", "$utc", "$label", "$confidence", "$description", "$model", "$latency");
        Keyframe = Make(db, "INSERT INTO keyframes VALUES ($seq, $n, $utc, $offset, $file, $bytes)", "$seq", "$n", "$utc", "$offset", "$file", "$bytes");
        KeyframeCount = Make(db, "UPDATE events SET keyframes = $n, keyframe_bytes = keyframe_bytes + $bytes WHERE seq = $seq", "$n", "$bytes", "$seq");
        CameraState = Make(db, "INSERT INTO camera_states VALUES ($camera, $utc, $online, $reason)", "$camera", "$utc", "$online", "$reason");
    }

    /// <summary>Sets the transaction and the parameter values (in the order of the names given at creation).</summary>
    public static SqliteCommand Bind(SqliteCommand cmd, SqliteTransaction? tx, params ReadOnlySpan<object?> values)
    {
        cmd.Transaction = tx;
        for (var i = 0; i < values.Length; i++) cmd.Parameters[i].Value = values[i] ?? DBNull.Value;
        return cmd;
    }

    private static SqliteCommand Make(SqliteConnection db, string sql, params string[] names)
    {
        var cmd = db.CreateCommand();
        cmd.CommandText = sql;
        foreach (var name in names) cmd.Parameters.Add(new SqliteParameter(name, DBNull.Value));
        cmd.Prepare();
        return cmd;
    }

    public void Dispose()
    {
        foreach (var cmd in new[] { UpsertEvent, Lifecycle, Recorded, Verdict, Keyframe, KeyframeCount, CameraState }) cmd.Dispose();
    }
}
