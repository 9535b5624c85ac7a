using System.Data.Common;

namespace StreamWatch.Store;

/// <summary>
/// Reads the rows both stores select with the same columns (see each store's SummaryColumns and its
/// lifecycle, verdict and keyframe queries), so SQLite and PostgreSQL answer with the same records.
/// </summary>
internal static class StoredRows
{
    /// <summary>Columns 1–15 of SummaryColumns (column 0 is the row's seq).</summary>
    public static EventSummary Summary(DbDataReader r) => new()
    {
        Id = r.GetString(1), Camera = r.GetString(2), Rule = r.GetString(3), Zone = r.IsDBNull(4) ? null : r.GetString(4),
        Severity = r.GetString(5), Phase = r.GetString(6),
        Start = DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(7)), StartOffset = TimeSpan.FromMilliseconds(r.GetInt64(8)),
        End = r.IsDBNull(9) ? null : DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(9)),
        EndOffset = r.IsDBNull(10) ? null : TimeSpan.FromMilliseconds(r.GetInt64(10)),
        Label = r.IsDBNull(11) ? null : r.GetString(11), Confidence = r.IsDBNull(12) ? null : r.GetDouble(12),
        Description = r.IsDBNull(13) ? null : r.GetString(13), Unverified = r.GetBoolean(14), KeyframeCount = r.GetInt32(15),
    };

    /// <summary>phase, utc_ms, offset_ms</summary>
    public static LifecycleEntry Lifecycle(DbDataReader r) =>
        new(r.GetString(0), DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(1)), TimeSpan.FromMilliseconds(r.GetInt64(2)));

    /// <summary>utc_ms, label, confidence, description, model, latency_ms</summary>
    public static StoredVerdict Verdict(DbDataReader r) =>
        new(DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(0)), r.GetString(1), r.GetDouble(2),
            r.IsDBNull(3) ? null : r.GetString(3), r.IsDBNull(4) ? null : r.GetString(4), r.IsDBNull(5) ? null : r.GetDouble(5));

    /// <summary>n, utc_ms, offset_ms, bytes</summary>
    public static StoredKeyframe Keyframe(DbDataReader r) =>
        new(r.GetInt32(0), DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(1)), TimeSpan.FromMilliseconds(r.GetInt64(2)), r.GetInt64(3));
}
