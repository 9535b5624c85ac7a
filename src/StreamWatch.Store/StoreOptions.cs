using StreamWatch.Core.Config;
using StreamWatch.Store.Sqlite;

namespace StreamWatch.Store;

/// <summary>Config section "Store": the event store (SQLite in the state folder, or a shared PostgreSQL) and its retention.</summary>
public sealed class StoreOptions : IValidatable
{
    public bool Enabled { get; set; } = true;
    /// <summary>sqlite (embedded, one machine) or postgres (shared by the nodes of a cluster).</summary>
    public string Provider { get; set; } = "sqlite";
    /// <summary>Npgsql connection string for provider postgres. A secret: never logged or shown.</summary>
    public string? ConnectionString { get; set; }
    /// <summary>The SQLite file, relative to Output:StateDirectory; keyframe JPEGs go to "keyframes" beside it.</summary>
    public string Path { get; set; } = "events.db";
    /// <summary>Events whose incident began longer ago than this are deleted.</summary>
    public double MaxAgeDays { get; set; } = 30;
    /// <summary>Database plus keyframes above this: the oldest events are deleted until under it.</summary>
    public long MaxSizeMb { get; set; } = 2048;
    /// <summary>How often retention runs.</summary>
    public double RetentionIntervalMinutes { get; set; } = 10;

    public StoreLimits Limits => new(TimeSpan.FromDays(MaxAgeDays), MaxSizeMb * 1024 * 1024);

    public void Validate(string path, ConfigErrors errors)
    {
        if (!Enabled) return;
        if (Provider is not ("sqlite" or "postgres")) errors.Add($"{path}:Provider", "must be one of sqlite, postgres");
        if (Provider == "sqlite" && string.IsNullOrWhiteSpace(Path)) errors.Add($"{path}:Path", "is required");
        if (Provider == "postgres" && Postgres.PgConnection.Problem(ConnectionString) is { } why) errors.Add($"{path}:ConnectionString", why);
        errors.Range(MaxAgeDays, 0.001, 36500, $"{path}:MaxAgeDays");
        errors.Range(MaxSizeMb, 1, 100_000_000, $"{path}:MaxSizeMb");
        errors.Range(RetentionIntervalMinutes, 0.01, 1440, $"{path}:RetentionIntervalMinutes");
    }
}
