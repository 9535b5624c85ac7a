using Microsoft.Data.Sqlite;

namespace StreamWatch.Store.Sqlite;

/// <summary>
/// Copies the write-ahead log back into the database on a thread of its own, so that a commit
/// never waits for it. With SQLite's automatic checkpoint, every ~1,000 WAL pages one commit ran
/// the checkpoint itself: page writes into the database file plus two fsyncs, on the writer's lock.
/// Here the writer only calls <see cref="Request"/> every <see cref="CommitsPerCheckpoint"/> commits;
/// this thread runs a PASSIVE checkpoint on its own connection (it never blocks the writer; a kill -9
/// in the middle of one loses nothing, the log is still there). The writer keeps an automatic
/// checkpoint at <see cref="BackstopPages"/> pages, so the log stays bounded should this fall behind.
/// </summary>
internal sealed class Checkpointer : IDisposable
{
    public const int CommitsPerCheckpoint = 100;
    public const int BackstopPages = 20_000;

    private readonly SqliteConnection _db;
    private readonly SemaphoreSlim _wake = new(0, 1);
    private readonly Thread _thread;
    private volatile bool _stop;
    private int _commits;

    public Checkpointer(string connectionString)
    {
        _db = new SqliteConnection(connectionString);
        _db.Open();
        using (var cmd = _db.CreateCommand())
        {
            cmd.CommandText = "PRAGMA busy_timeout=5000;";
            cmd.ExecuteNonQuery();
        }
        _thread = new Thread(Loop) { IsBackground = true, Name = "sqlite-checkpoint" };
        _thread.Start();
    }

    /// <summary>Called by the writer after each commit; wakes the thread every so many commits.</summary>
    public void Committed()
    {
        if (++_commits < CommitsPerCheckpoint) return;
        _commits = 0;
        Request();
    }

    public void Request()
    {
        try { _wake.Release(); }
        catch (SemaphoreFullException) { } // one is already pending
    }

    private void Loop()
    {
        while (true)
        {
            _wake.Wait();
            if (_stop) return;
            try
            {
                using var cmd = _db.CreateCommand();
                cmd.CommandText = "PRAGMA wal_checkpoint(PASSIVE);";
                cmd.ExecuteNonQuery();
            }
            catch (SqliteException) { } // busy or full: the next request (or the backstop) tries again
        }
    }

    public void Dispose()
    {
        if (_stop) return; // a store may be disposed twice
        _stop = true;
        Request();
        _thread.Join();
        _db.Dispose();
        _wake.Dispose();
    }
}
