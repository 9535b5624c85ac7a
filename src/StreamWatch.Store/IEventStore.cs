namespace StreamWatch.Store;

/// <summary>
/// Where incidents, their verdicts and keyframes, and camera online/offline history are kept and
/// searched. The embedded implementation is SQLite (Sqlite/SqliteEventStore); a shared
/// server database can stand behind the same interface. Writes are atomic per call: after a crash a
/// call either happened completely or not at all.
/// </summary>
public interface IEventStore : IDisposable
{
    /// <summary>Records one lifecycle message of an incident (creates it on first sight), its verdict
    /// when it carries one, and the keyframes it has that are not stored yet.</summary>
    Task RecordAlertAsync(AlertRecord alert, CancellationToken ct = default);

    /// <summary>Appends a camera online/offline change to its history.</summary>
    Task RecordCameraStateAsync(CameraStateRecord state, CancellationToken ct = default);

    /// <summary>Events newest first, filtered and full-text searched (see <see cref="EventQuery"/>).</summary>
    Task<EventPage> SearchAsync(EventQuery query, CancellationToken ct = default);

    /// <summary>One event with its lifecycle, verdicts and keyframes; null when unknown.</summary>
    Task<EventDetail?> GetAsync(string id, CancellationToken ct = default);

    /// <summary>The JPEG of keyframe <paramref name="index"/> (0-based) of an event; null when unknown.</summary>
    Task<byte[]?> ReadKeyframeAsync(string id, int index, CancellationToken ct = default);

    /// <summary>A camera's online/offline changes in [from, to), oldest first.</summary>
    Task<IReadOnlyList<CameraStateRecord>> CameraHistoryAsync(string camera, DateTimeOffset from, DateTimeOffset to, CancellationToken ct = default);

    /// <summary>A camera's incidents whose last lifecycle message is not <c>end</c>, oldest first
    /// (a new owner ends those its dead predecessor left open).</summary>
    Task<IReadOnlyList<EventSummary>> OpenEventsAsync(string camera, CancellationToken ct = default);

    /// <summary>Deletes events older than the age limit, then oldest events until under the size limit.</summary>
    Task<RetentionResult> ApplyRetentionAsync(DateTimeOffset now, CancellationToken ct = default);
}

/// <summary>One lifecycle message of an incident, as the store receives it.</summary>
public sealed record AlertRecord
{
    public required string Id { get; init; }
    public required string Camera { get; init; }
    public required string Rule { get; init; }
    public string? Zone { get; init; }
    public string Severity { get; init; } = "info";
    /// <summary>new | update | end</summary>
    public required string Phase { get; init; }
    /// <summary>When the message happened (wall clock) and at which stream offset.</summary>
    public required DateTimeOffset Utc { get; init; }
    public required TimeSpan Offset { get; init; }
    public required DateTimeOffset Start { get; init; }
    public required TimeSpan StartOffset { get; init; }
    public DateTimeOffset? End { get; init; }
    public VerdictRecord? Verdict { get; init; }
    public bool Unverified { get; init; }
    /// <summary>All keyframes the incident has so far, in order; the store keeps those it has not seen.</summary>
    public IReadOnlyList<KeyframeRecord> Keyframes { get; init; } = [];
}

/// <summary>The model's judgement of an incident.</summary>
public sealed record VerdictRecord(string Label, double Confidence, string? Description, string? Model, double? LatencyMs);

/// <summary>A keyframe: capture time, stream offset and a way to get its JPEG (called only when stored).</summary>
public sealed record KeyframeRecord(DateTimeOffset Utc, TimeSpan Offset, Func<byte[]> Jpeg);

public sealed record CameraStateRecord(string Camera, DateTimeOffset Utc, bool Online, string Reason);

/// <summary>
/// A search: <see cref="Text"/> is an FTS5 query over label, description, camera, rule and zone
/// (plain words match all of them); the other fields are exact filters. Time range applies to the
/// incident's start, [From, To).
/// </summary>
public sealed record EventQuery
{
    public string? Text { get; init; }
    public string? Camera { get; init; }
    public string? Rule { get; init; }
    public string? Label { get; init; }
    public DateTimeOffset? From { get; init; }
    public DateTimeOffset? To { get; init; }
    public double? MinConfidence { get; init; }
    public int Limit { get; init; } = 50;
    /// <summary>The <see cref="EventPage.Next"/> of the previous page.</summary>
    public string? Cursor { get; init; }

    public const int MaxLimit = 500;
}

public sealed record EventPage(IReadOnlyList<EventSummary> Items, string? Next);

/// <summary>An incident's current state (its latest verdict included).</summary>
public sealed record EventSummary
{
    public required string Id { get; init; }
    public required string Camera { get; init; }
    public required string Rule { get; init; }
    public string? Zone { get; init; }
    public required string Severity { get; init; }
    /// <summary>new | update | end: the last lifecycle message.</summary>
    public required string Phase { get; init; }
    public required DateTimeOffset Start { get; init; }
    public required TimeSpan StartOffset { get; init; }
    public DateTimeOffset? End { get; init; }
    public TimeSpan? EndOffset { get; init; }
    public string? Label { get; init; }
    public double? Confidence { get; init; }
    public string? Description { get; init; }
    public bool Unverified { get; init; }
    public int KeyframeCount { get; init; }
}

public sealed record LifecycleEntry(string Phase, DateTimeOffset Utc, TimeSpan Offset);

public sealed record StoredVerdict(DateTimeOffset Utc, string Label, double Confidence, string? Description, string? Model, double? LatencyMs);

public sealed record StoredKeyframe(int Index, DateTimeOffset Utc, TimeSpan Offset, long Bytes);

public sealed record EventDetail(EventSummary Event, IReadOnlyList<LifecycleEntry> Lifecycle,
    IReadOnlyList<StoredVerdict> Verdicts, IReadOnlyList<StoredKeyframe> Keyframes);

public sealed record RetentionResult(int DeletedByAge, int DeletedBySize);
