using StreamWatch.Core.Config;
using StreamWatch.Store.Sqlite;

namespace StreamWatch.Store;

/// <summary>Config section "Store": the event store in the state folder and its retention.</summary>
public sealed class StoreOptions : IValidatable
{
    public bool Enabled { get; set; } = true;
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
        if (string.IsNullOrWhiteSpace(Path)) errors.Add($"{path}:Path", "is required");
        errors.Range(MaxAgeDays, 0.001, 36500, $"{path}:MaxAgeDays");
        errors.Range(MaxSizeMb, 1, 100_000_000, $"{path}:MaxSizeMb");
        errors.Range(RetentionIntervalMinutes, 0.01, 1440, $"{path}:RetentionIntervalMinutes");
    }
}
