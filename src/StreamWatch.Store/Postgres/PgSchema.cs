using Npgsql;

namespace StreamWatch.Store.Postgres;

/// <summary>
/// The versioned schema of the shared store: table <c>schema_version</c> holds the number of
/// migrations applied. Opening applies the missing ones in order, each in its own transaction under
/// an advisory lock, so several nodes starting at once migrate exactly once, and a database written
/// by an older version opens. Append migrations; never edit one.
/// Times are Unix milliseconds (bigint), as in the SQLite store. Child rows go with their event
/// (ON DELETE CASCADE); keyframe JPEGs are stored in the database (bytea) because nodes share it.
/// </summary>
internal static class PgSchema
{
    private const long LockKey = 0x53_57_45_56_53_54; // "SWEVST"

    public static readonly string[] Migrations =
    [
        // 1: incidents, their lifecycle, verdicts, keyframes, camera history
        """
        CREATE TABLE events(
          seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
          id text NOT NULL UNIQUE,
          camera text NOT NULL, rule text NOT NULL, zone text, severity text NOT NULL, phase text NOT NULL,
          start_ms bigint NOT NULL, start_offset_ms bigint NOT NULL, end_ms bigint, end_offset_ms bigint,
          label text, confidence double precision, description text, unverified boolean NOT NULL DEFAULT false,
          keyframes integer NOT NULL DEFAULT 0, keyframe_bytes bigint NOT NULL DEFAULT 0);
        CREATE INDEX events_start ON events(start_ms);
        CREATE INDEX events_camera ON events(camera, seq);
        CREATE INDEX events_open ON events(camera, seq) WHERE phase <> 'end';
        CREATE TABLE lifecycle(pos bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
          event_seq bigint NOT NULL REFERENCES events(seq) ON DELETE CASCADE,
          phase text NOT NULL, utc_ms bigint NOT NULL, offset_ms bigint NOT NULL,
          UNIQUE(event_seq, phase, utc_ms, offset_ms));
        CREATE TABLE verdicts(pos bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
          event_seq bigint NOT NULL REFERENCES events(seq) ON DELETE CASCADE,
          utc_ms bigint NOT NULL, label text NOT NULL, confidence double precision NOT NULL,
          description text, model text, latency_ms double precision);
        CREATE INDEX verdicts_event ON verdicts(event_seq);
        CREATE TABLE keyframes(event_seq bigint NOT NULL REFERENCES events(seq) ON DELETE CASCADE, n integer NOT NULL,
          utc_ms bigint NOT NULL, offset_ms bigint NOT NULL, bytes integer NOT NULL, jpeg bytea NOT NULL,
          PRIMARY KEY(event_seq, n));
        CREATE TABLE camera_states(camera text NOT NULL, utc_ms bigint NOT NULL, online boolean NOT NULL, reason text NOT NULL,
          PRIMARY KEY(camera, utc_ms, online));
        """,
        // 2: full-text search over label, description, camera, rule and zone (a generated tsvector, GIN-indexed)
        """
        ALTER TABLE events ADD COLUMN search tsvector GENERATED ALWAYS AS (to_tsvector('simple',
          coalesce(label, '') || ' ' || coalesce(description, '') || ' ' || camera || ' ' || rule || ' ' || coalesce(zone, ''))) STORED;
        CREATE INDEX events_search ON events USING gin(search);
        """,
        // 3: record_alert: one lifecycle message (event row, lifecycle row, verdict) in one round trip.
        // Returns the event's seq and how many keyframes it already has, or no row when this very
        // message was recorded before. An ended incident stays ended; a verdict is appended only when
        // new or changed. p_label is null when the message has no verdict.
        """
        CREATE FUNCTION record_alert(p_id text, p_camera text, p_rule text, p_zone text, p_severity text, p_phase text,
          p_start bigint, p_start_offset bigint, p_end bigint, p_end_offset bigint, p_utc bigint, p_offset bigint,
          p_label text, p_confidence double precision, p_description text, p_model text, p_latency double precision,
          p_unverified boolean)
        RETURNS TABLE(recorded_seq bigint, known_keyframes integer) LANGUAGE plpgsql AS $$
        DECLARE
          s bigint; kf integer := 0; old_label text; old_confidence double precision; old_description text;
        BEGIN
          -- Insert on first sight; a concurrent insert of the same id waits here and then sees the row.
          INSERT INTO events(id, camera, rule, zone, severity, phase, start_ms, start_offset_ms, end_ms, end_offset_ms,
            label, confidence, description, unverified)
          VALUES (p_id, p_camera, p_rule, p_zone, p_severity, p_phase, p_start, p_start_offset, p_end, p_end_offset,
            p_label, p_confidence, p_description, p_unverified)
          ON CONFLICT (id) DO NOTHING RETURNING seq INTO s;
          IF s IS NULL THEN
            SELECT e.seq, e.keyframes, e.label, e.confidence, e.description INTO s, kf, old_label, old_confidence, old_description
              FROM events e WHERE e.id = p_id FOR UPDATE;
            INSERT INTO lifecycle(event_seq, phase, utc_ms, offset_ms) VALUES (s, p_phase, p_utc, p_offset) ON CONFLICT DO NOTHING;
            IF NOT FOUND THEN RETURN; END IF;
            UPDATE events e SET zone = coalesce(p_zone, e.zone),
              severity = CASE WHEN e.phase = 'end' THEN e.severity ELSE p_severity END,
              end_ms = CASE WHEN e.phase = 'end' THEN e.end_ms ELSE p_end END,
              end_offset_ms = CASE WHEN e.phase = 'end' THEN e.end_offset_ms ELSE p_end_offset END,
              phase = CASE WHEN e.phase = 'end' THEN e.phase ELSE p_phase END,
              label = coalesce(p_label, e.label), confidence = coalesce(p_confidence, e.confidence),
              description = coalesce(p_description, e.description), unverified = p_unverified
              WHERE e.seq = s;
          ELSE
            INSERT INTO lifecycle(event_seq, phase, utc_ms, offset_ms) VALUES (s, p_phase, p_utc, p_offset);
          END IF;
          -- A new incident has no old verdict (old_* are null), so any verdict it brings is appended.
          IF p_label IS NOT NULL AND (p_label IS DISTINCT FROM old_label OR p_confidence IS DISTINCT FROM old_confidence
              OR p_description IS DISTINCT FROM old_description) THEN
            INSERT INTO verdicts(event_seq, utc_ms, label, confidence, description, model, latency_ms)
              VALUES (s, p_utc, p_label, p_confidence, p_description, p_model, p_latency);
          END IF;
          recorded_seq := s; known_keyframes := kf;
          RETURN NEXT;
        END $$;
        """,
    ];

    public static async Task<int> VersionAsync(NpgsqlConnection db, NpgsqlTransaction? tx = null)
    {
        await using var create = new NpgsqlCommand("CREATE TABLE IF NOT EXISTS schema_version(version integer NOT NULL)", db, tx);
        await create.ExecuteNonQueryAsync();
        await using var cmd = new NpgsqlCommand("SELECT max(version) FROM schema_version", db, tx);
        return await cmd.ExecuteScalarAsync() is int v ? v : 0;
    }

    /// <summary>Applies migrations up to <paramref name="target"/> (all by default).</summary>
    public static async Task MigrateAsync(NpgsqlConnection db, int target = -1, CancellationToken ct = default)
    {
        if (target < 0) target = Migrations.Length;
        for (var v = 0; v < target; v++)
        {
            await using var tx = await db.BeginTransactionAsync(ct);
            await using (var lk = new NpgsqlCommand($"SELECT pg_advisory_xact_lock({LockKey})", db, tx))
                await lk.ExecuteNonQueryAsync(ct);
            var version = await VersionAsync(db, tx);
            if (version > Migrations.Length)
                throw new InvalidOperationException($"the event store has schema version {version}, newer than this build knows ({Migrations.Length})");
            if (version > v) { await tx.CommitAsync(ct); continue; }
            await using (var cmd = new NpgsqlCommand(Migrations[v] + "\nDELETE FROM schema_version;\nINSERT INTO schema_version VALUES (" + (v + 1) + ");", db, tx))
                await cmd.ExecuteNonQueryAsync(ct);
            await tx.CommitAsync(ct);
        }
    }
}
