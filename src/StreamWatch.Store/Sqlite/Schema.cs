using Microsoft.Data.Sqlite;

namespace StreamWatch.Store.Sqlite;

/// <summary>
/// The versioned schema: <c>PRAGMA user_version</c> is the number of migrations applied. Opening a
/// store applies the missing ones in order, each in its own transaction, so a store written by an
/// older version opens (and one interrupted mid-migration resumes). Append migrations; never edit one.
/// </summary>
internal static class Schema
{
    public static readonly string[] Migrations =
    [
        // 1: incidents, their lifecycle, verdicts, keyframes (files on disk), camera history
        """
        CREATE TABLE events(
          seq INTEGER PRIMARY KEY,
          id TEXT NOT NULL UNIQUE,
          camera TEXT NOT NULL, rule TEXT NOT NULL, zone TEXT, severity TEXT NOT NULL, phase TEXT NOT NULL,
          start_ms INTEGER NOT NULL, start_offset_ms INTEGER NOT NULL, end_ms INTEGER, end_offset_ms INTEGER,
          label TEXT, confidence REAL, description TEXT, unverified INTEGER NOT NULL DEFAULT 0,
          keyframes INTEGER NOT NULL DEFAULT 0, keyframe_bytes INTEGER NOT NULL DEFAULT 0);
        CREATE INDEX events_start ON events(start_ms);
        CREATE INDEX events_camera ON events(camera, seq);
        CREATE TABLE lifecycle(event_seq INTEGER NOT NULL, phase TEXT NOT NULL, utc_ms INTEGER NOT NULL, offset_ms INTEGER NOT NULL);
        CREATE INDEX lifecycle_event ON lifecycle(event_seq);
        CREATE TABLE verdicts(event_seq INTEGER NOT NULL, utc_ms INTEGER NOT NULL, label TEXT NOT NULL, confidence REAL NOT NULL,
          description TEXT, model TEXT, latency_ms REAL);
        CREATE INDEX verdicts_event ON verdicts(event_seq);
        CREATE TABLE keyframes(event_seq INTEGER NOT NULL, n INTEGER NOT NULL, utc_ms INTEGER NOT NULL, offset_ms INTEGER NOT NULL,
          file TEXT NOT NULL, bytes INTEGER NOT NULL, PRIMARY KEY(event_seq, n)) WITHOUT ROWID;
        CREATE TABLE camera_states(camera TEXT NOT NULL, utc_ms INTEGER NOT NULL, online INTEGER NOT NULL, reason TEXT NOT NULL);
        CREATE INDEX camera_states_camera ON camera_states(camera, utc_ms);
        """,
        // 2: full-text search over label, description, camera, rule and zone (kept in step by triggers)
        """
        CREATE VIRTUAL TABLE events_fts USING fts5(label, description, camera, rule, zone, content='events', content_rowid='seq');
        CREATE TRIGGER events_fts_insert AFTER INSERT ON events BEGIN
          INSERT INTO events_fts(rowid, label, description, camera, rule, zone) VALUES (new.seq, new.label, new.description, new.camera, new.rule, new.zone);
        END;
        CREATE TRIGGER events_fts_delete AFTER DELETE ON events BEGIN
          INSERT INTO events_fts(events_fts, rowid, label, description, camera, rule, zone) VALUES ('delete', old.seq, old.label, old.description, old.camera, old.rule, old.zone);
        END;
        CREATE TRIGGER events_fts_update AFTER UPDATE OF label, description, camera, rule, zone ON events BEGIN
          INSERT INTO events_fts(events_fts, rowid, label, description, camera, rule, zone) VALUES ('delete', old.seq, old.label, old.description, old.camera, old.rule, old.zone);
          INSERT INTO events_fts(rowid, label, description, camera, rule, zone) VALUES (new.seq, new.label, new.description, new.camera, new.rule, new.zone);
        END;
        INSERT INTO events_fts(events_fts) VALUES ('rebuild');
        """,
        // 3: the search index row is rewritten only when an indexed column changed (an update or end
        // message usually repeats them; rewriting cost an FTS delete and insert each time)
        """
        DROP TRIGGER events_fts_update;
        CREATE TRIGGER events_fts_update AFTER UPDATE OF label, description, camera, rule, zone ON events
        WHEN old.label IS NOT new.label OR old.description IS NOT new.description OR old.camera IS NOT new.camera
          OR old.rule IS NOT new.rule OR old.zone IS NOT new.zone BEGIN
          INSERT INTO events_fts(events_fts, rowid, label, description, camera, rule, zone) VALUES ('delete', old.seq, old.label, old.description, old.camera, old.rule, old.zone);
          INSERT INTO events_fts(rowid, label, description, camera, rule, zone) VALUES (new.seq, new.label, new.description, new.camera, new.rule, new.zone);
        END;
        """,
        // 4: a lifecycle message is stored once (a resend adds no row, as in PostgreSQL): drop the
        // repeats older versions stored, then the unique index (it also serves the lookups by event)
        """
        DELETE FROM lifecycle WHERE rowid NOT IN (SELECT min(rowid) FROM lifecycle GROUP BY event_seq, phase, utc_ms, offset_ms);
        DROP INDEX lifecycle_event;
        CREATE UNIQUE INDEX lifecycle_message ON lifecycle(event_seq, phase, utc_ms, offset_ms);
        """,
    ];

    public static int Version(SqliteConnection db)
    {
        using var cmd = db.CreateCommand();
        cmd.CommandText = "PRAGMA user_version";
        return Convert.ToInt32(cmd.ExecuteScalar());
    }

    /// <summary>Applies migrations up to <paramref name="target"/> (all by default).</summary>
    public static void Migrate(SqliteConnection db, int target = -1)
    {
        if (target < 0) target = Migrations.Length;
        var version = Version(db);
        if (version > Migrations.Length)
            throw new InvalidOperationException($"the event store has schema version {version}, newer than this build knows ({Migrations.Length})");
        for (var v = version; v < target; v++)
        {
            using var tx = db.BeginTransaction();
            using var cmd = db.CreateCommand();
            cmd.Transaction = tx;
            cmd.CommandText = Migrations[v] + $"\nPRAGMA user_version = {v + 1};";
            cmd.ExecuteNonQuery();
            tx.Commit();
        }
    }
}
