using StreamWatch.Core.State;
using StreamWatch.Mqtt;
using StreamWatch.Mqtt.Outbox;
using StreamWatch.Sinks;

namespace StreamWatch.Tests.State;

public class PrivateFilesTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("sw-private-").FullName;
    private string State => Path.Combine(_root, "state");

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static UnixFileMode Mode(string path) => File.GetUnixFileMode(path);

    [Fact]
    public async Task EventsOutboxAndLedgerAreCreatedForTheOwnerOnly()
    {
        await using (var sink = new JsonlSink(Path.Combine(State, "events.jsonl"))) { }
        using var outbox = new SqliteOutbox(Path.Combine(State, "outbox.db"), 10);
        outbox.Enqueue([new OutboxMessage("t", [1], false)], DateTimeOffset.UnixEpoch); // -wal and -shm exist while it is open
        RetainedLedger.Write(Path.Combine(State, "retained.txt"), ["a/b"]);

        Assert.Equal(PrivateFiles.FolderMode, Mode(State));
        foreach (var f in new[] { "events.jsonl", "outbox.db", "outbox.db-wal", "outbox.db-shm", "retained.txt" })
            Assert.True(PrivateFiles.FileMode == Mode(Path.Combine(State, f)), $"{f}: {Mode(Path.Combine(State, f))}");
    }

    [Fact]
    public async Task AWorldReadableStateFileFromAnEarlierRunIsNarrowed()
    {
        Directory.CreateDirectory(State);
        var events = Path.Combine(State, "events.jsonl");
        await File.WriteAllTextAsync(events, "{}\n");
        File.SetUnixFileMode(events, PrivateFiles.FileMode | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        await using (var sink = new JsonlSink(events)) { }
        Assert.Equal(PrivateFiles.FileMode, Mode(events));
        Assert.Equal("{}\n", await File.ReadAllTextAsync(events)); // appended to, nothing lost
    }
}
