using StreamWatch.Store;

namespace StreamWatch.Tests.Store;

/// <summary>
/// What every <see cref="IEventStore"/> must do, run against each implementation (SQLite here,
/// PostgreSQL in the integration tests, which link this file). Each test gets an empty store;
/// <see cref="OpenAsync"/> opens the same one again within a test.
/// </summary>
public abstract class EventStoreContract : IAsyncLifetime
{
    protected static readonly DateTimeOffset T0 = new(2026, 12, 1, 10, 0, 0, TimeSpan.Zero);

    /// <summary>Opens the test's store (again) with that size limit.</summary>
    protected abstract Task<IEventStore> OpenAsync(long maxBytes = long.MaxValue / 4);
    /// <summary>The size the store's retention measures.</summary>
    protected abstract Task<long> SizeBytesAsync(IEventStore store);
    /// <summary>Keyframes kept in all (files or rows).</summary>
    protected abstract Task<int> StoredKeyframesAsync(IEventStore store);

    public virtual Task InitializeAsync() => Task.CompletedTask;
    public virtual Task DisposeAsync() => Task.CompletedTask;

    public static AlertRecord Alert(string id, string phase, DateTimeOffset start, string camera = "yard", string rule = "intrusion",
        VerdictRecord? verdict = null, int keyframes = 0, DateTimeOffset? end = null, int offsetS = 0) => new()
    {
        Id = id, Camera = camera, Rule = rule, Zone = "driveway", Severity = "warning", Phase = phase,
        Utc = end ?? start, Offset = TimeSpan.FromSeconds(offsetS), Start = start, StartOffset = TimeSpan.FromSeconds(offsetS), End = end,
        Verdict = verdict,
        Keyframes = Enumerable.Range(0, keyframes)
            .Select(n => new KeyframeRecord(start.AddSeconds(n), TimeSpan.FromSeconds(offsetS + n), () => [0xFF, 0xD8, (byte)n, 0xFF, 0xD9]))
            .ToArray(),
    };

    [Fact]
    public async Task An_incident_keeps_its_lifecycle_verdicts_and_keyframes()
    {
        using var store = await OpenAsync();
        var verdict = new VerdictRecord("person", 0.91, "A man in a red coat opens the gate", "qwen3-vl", 420);
        await store.RecordAlertAsync(Alert("a1", "new", T0, keyframes: 1));
        await store.RecordAlertAsync(Alert("a1", "update", T0, verdict: verdict, keyframes: 3) with { Utc = T0.AddSeconds(2), Offset = TimeSpan.FromSeconds(2) });
        await store.RecordAlertAsync(Alert("a1", "end", T0, verdict: verdict, keyframes: 3, end: T0.AddSeconds(9)) with { Offset = TimeSpan.FromSeconds(9) });

        var d = await store.GetAsync("a1");
        Assert.NotNull(d);
        Assert.Equal(["new", "update", "end"], d.Lifecycle.Select(l => l.Phase));
        Assert.Equal(TimeSpan.FromSeconds(9), d.Lifecycle[2].Offset);
        Assert.Single(d.Verdicts); // the end repeats the same verdict: not a second one
        Assert.Equal("A man in a red coat opens the gate", d.Event.Description);
        Assert.Equal(("end", "person", 0.91, 3), (d.Event.Phase, d.Event.Label, d.Event.Confidence!.Value, d.Event.KeyframeCount));
        Assert.Equal(T0.AddSeconds(9), d.Event.End);
        Assert.Equal([0, 1, 2], d.Keyframes.Select(k => k.Index));
        Assert.Equal(T0.AddSeconds(2), d.Keyframes[2].Utc);
        Assert.Equal(TimeSpan.FromSeconds(2), d.Keyframes[2].Offset);
        Assert.Equal(new byte[] { 0xFF, 0xD8, 2, 0xFF, 0xD9 }, await store.ReadKeyframeAsync("a1", 2));
        Assert.Null(await store.ReadKeyframeAsync("a1", 3));
        Assert.Null(await store.GetAsync("nope"));
    }

    [Fact]
    public async Task An_exact_resend_of_a_lifecycle_message_adds_no_row()
    {
        using var store = await OpenAsync();
        var verdict = new VerdictRecord("person", 0.91, "a courier leaves a parcel", "qwen3-vl", 420);
        var update = Alert("r1", "update", T0, verdict: verdict, keyframes: 2) with { Utc = T0.AddSeconds(2), Offset = TimeSpan.FromSeconds(2) };
        var end = Alert("r1", "end", T0, verdict: verdict, keyframes: 2, end: T0.AddSeconds(9)) with { Offset = TimeSpan.FromSeconds(9) };
        await store.RecordAlertAsync(Alert("r1", "new", T0, keyframes: 1));
        await store.RecordAlertAsync(update);
        await store.RecordAlertAsync(update); // the same message again (at-least-once delivery)
        await store.RecordAlertAsync(end);
        await store.RecordAlertAsync(end);

        var d = await store.GetAsync("r1");
        Assert.NotNull(d);
        Assert.Equal(["new", "update", "end"], d.Lifecycle.Select(l => l.Phase));
        Assert.Single(d.Verdicts);
        Assert.Equal(("end", 2), (d.Event.Phase, d.Event.KeyframeCount));
        Assert.Equal(2, await StoredKeyframesAsync(store));
        Assert.Single((await store.SearchAsync(new EventQuery { Text = "courier" })).Items);
    }

    [Fact]
    public async Task Only_keyframes_not_yet_stored_are_encoded()
    {
        using var store = await OpenAsync();
        var encoded = new List<int>();
        KeyframeRecord[] Frames(int count) => Enumerable.Range(0, count)
            .Select(n => new KeyframeRecord(T0.AddSeconds(n), TimeSpan.FromSeconds(n), () => { encoded.Add(n); return [0xFF, 0xD8, (byte)n, 0xFF, 0xD9]; }))
            .ToArray();
        await store.RecordAlertAsync(Alert("j1", "new", T0) with { Keyframes = Frames(1) });
        var update = Alert("j1", "update", T0) with { Utc = T0.AddSeconds(2), Offset = TimeSpan.FromSeconds(2), Keyframes = Frames(3) };
        await store.RecordAlertAsync(update);
        await store.RecordAlertAsync(update); // a resend
        await store.RecordAlertAsync(Alert("j1", "end", T0, end: T0.AddSeconds(4)) with { Keyframes = Frames(3) });

        Assert.Equal([0, 1, 2], encoded);
        Assert.Equal(3, (await store.GetAsync("j1"))!.Event.KeyframeCount);
        Assert.Equal(new byte[] { 0xFF, 0xD8, 2, 0xFF, 0xD9 }, await store.ReadKeyframeAsync("j1", 2));
    }

    [Fact]
    public async Task A_message_arriving_after_the_end_does_not_reopen_the_incident()
    {
        using var store = await OpenAsync();
        await store.RecordAlertAsync(Alert("l1", "new", T0));
        await store.RecordAlertAsync(Alert("l1", "end", T0, end: T0.AddSeconds(9)) with { Offset = TimeSpan.FromSeconds(9) });
        // an update sent before the end (a resend, or the camera's previous owner) arrives after it
        await store.RecordAlertAsync(Alert("l1", "update", T0) with { Utc = T0.AddSeconds(5), Offset = TimeSpan.FromSeconds(5), Severity = "critical" });

        var d = await store.GetAsync("l1");
        Assert.Equal(("end", T0.AddSeconds(9), "warning"), (d!.Event.Phase, d.Event.End, d.Event.Severity));
        Assert.Equal(TimeSpan.FromSeconds(9), d.Event.EndOffset);
        Assert.Empty(await store.OpenEventsAsync("yard"));
    }

    [Fact]
    public async Task A_changed_verdict_is_appended_and_the_search_index_follows_it()
    {
        using var store = await OpenAsync();
        var fox = new VerdictRecord("animal", 0.6, "a fox crosses the lawn", "m", 100);
        var man = new VerdictRecord("person", 0.9, "a courier carries a parcel", "m", 120);
        await store.RecordAlertAsync(Alert("a1", "new", T0, verdict: fox));
        // distinct messages have distinct times (the same phase at the same instant is a resend, recorded once)
        await store.RecordAlertAsync(Alert("a1", "update", T0, verdict: fox) with { Utc = T0.AddSeconds(1) });
        await store.RecordAlertAsync(Alert("a1", "update", T0, verdict: man) with { Utc = T0.AddSeconds(2) });
        await store.RecordAlertAsync(Alert("a1", "end", T0, end: T0.AddSeconds(5))); // no verdict: the last one stays

        var d = await store.GetAsync("a1");
        Assert.Equal(["animal", "person"], d!.Verdicts.Select(v => v.Label));
        Assert.Equal(("end", "person", "a courier carries a parcel"), (d.Event.Phase, d.Event.Label, d.Event.Description));
        Assert.Empty((await store.SearchAsync(new EventQuery { Text = "fox" })).Items);
        Assert.Equal("a1", Assert.Single((await store.SearchAsync(new EventQuery { Text = "parcel courier" })).Items).Id);
        Assert.Equal("a1", Assert.Single((await store.SearchAsync(new EventQuery { Text = "driveway" })).Items).Id);
    }

    [Fact]
    public async Task Search_matches_words_of_any_text_field_and_applies_every_filter()
    {
        using var store = await OpenAsync();
        await store.RecordAlertAsync(Alert("a", "new", T0, verdict: new("person", 0.9, "a courier leaves a parcel", null, null)));
        await store.RecordAlertAsync(Alert("b", "new", T0.AddHours(1), camera: "garage", verdict: new("car", 0.6, "a car parks", null, null)));
        await store.RecordAlertAsync(Alert("c", "new", T0.AddHours(2), rule: "loiter", verdict: new("person", 0.4, "someone waits by the parcel", null, null)));
        await store.RecordAlertAsync(Alert("d", "new", T0.AddHours(3)));

        async Task<string[]> Ids(EventQuery q) => (await store.SearchAsync(q)).Items.Select(e => e.Id).ToArray();
        Assert.Equal(["d", "c", "b", "a"], await Ids(new EventQuery()));
        Assert.Equal(["c", "a"], await Ids(new EventQuery { Text = "parcel" }));
        Assert.Equal(["b"], await Ids(new EventQuery { Text = "garage" }));              // camera
        Assert.Equal(["c"], await Ids(new EventQuery { Text = "loiter" }));              // rule
        Assert.Equal(["d", "c", "b", "a"], await Ids(new EventQuery { Text = "driveway" })); // zone
        Assert.Equal(["a"], await Ids(new EventQuery { Text = "parcel courier" }));      // all words
        Assert.Equal(["c", "a"], await Ids(new EventQuery { Label = "person" }));
        Assert.Equal(["b"], await Ids(new EventQuery { Camera = "garage" }));
        Assert.Equal(["c"], await Ids(new EventQuery { Rule = "loiter" }));
        Assert.Equal(["b", "a"], await Ids(new EventQuery { MinConfidence = 0.5 }));
        Assert.Equal(["c", "b"], await Ids(new EventQuery { From = T0.AddHours(1), To = T0.AddHours(3) }));
        Assert.Equal(["a"], await Ids(new EventQuery { Text = "parcel", MinConfidence = 0.5 }));
        Assert.Empty(await Ids(new EventQuery { Text = "\"unbalanced OR ( NEAR" })); // user text is never FTS syntax
    }

    [Fact]
    public async Task Pages_follow_the_cursor_without_gaps_or_repeats()
    {
        using var store = await OpenAsync();
        for (var i = 0; i < 7; i++) await store.RecordAlertAsync(Alert($"e{i}", "new", T0.AddMinutes(i), verdict: new("person", 0.8, "walks", null, null)));
        foreach (var text in new string?[] { null, "walks" })
        {
            var seen = new List<string>();
            string? cursor = null;
            do
            {
                var page = await store.SearchAsync(new EventQuery { Text = text, Limit = 3, Cursor = cursor });
                seen.AddRange(page.Items.Select(e => e.Id));
                cursor = page.Next;
            } while (cursor != null);
            Assert.Equal(Enumerable.Range(0, 7).Reverse().Select(i => $"e{i}"), seen);
        }
        await Assert.ThrowsAsync<FormatException>(() => store.SearchAsync(new EventQuery { Cursor = "x1" }));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => store.SearchAsync(new EventQuery { Limit = 0 }));
    }

    [Fact]
    public async Task Open_events_are_the_cameras_incidents_not_yet_ended_oldest_first()
    {
        using var store = await OpenAsync();
        await store.RecordAlertAsync(Alert("o1", "new", T0));
        await store.RecordAlertAsync(Alert("done", "new", T0.AddMinutes(1)));
        await store.RecordAlertAsync(Alert("done", "end", T0.AddMinutes(1), end: T0.AddMinutes(2)));
        await store.RecordAlertAsync(Alert("o2", "new", T0.AddMinutes(3)));
        await store.RecordAlertAsync(Alert("o2", "update", T0.AddMinutes(3), verdict: new("person", 0.8, "walks", null, null)));
        await store.RecordAlertAsync(Alert("other", "new", T0.AddMinutes(4), camera: "garage"));

        var open = await store.OpenEventsAsync("yard");
        Assert.Equal(["o1", "o2"], open.Select(e => e.Id));
        Assert.Equal(("update", "person"), (open[1].Phase, open[1].Label));
        Assert.Equal(["other"], (await store.OpenEventsAsync("garage")).Select(e => e.Id));
        Assert.Empty(await store.OpenEventsAsync("nowhere"));
    }

    [Fact]
    public async Task Camera_history_is_kept_in_order()
    {
        using var store = await OpenAsync();
        await store.RecordCameraStateAsync(new("yard", T0, true, "frames flowing"));
        await store.RecordCameraStateAsync(new("yard", T0.AddMinutes(5), false, "stalled"));
        await store.RecordCameraStateAsync(new("garage", T0.AddMinutes(6), true, "frames flowing"));
        var h = await store.CameraHistoryAsync("yard", T0, T0.AddHours(1));
        Assert.Equal([true, false], h.Select(s => s.Online));
        Assert.Equal("stalled", h[1].Reason);
    }

    [Fact]
    public async Task Retention_deletes_by_age_then_oldest_first_by_size_with_their_keyframes()
    {
        using (var store = await OpenAsync())
        {
            await store.RecordAlertAsync(Alert("old", "end", T0.AddDays(-8), keyframes: 2, end: T0.AddDays(-8)));
            for (var i = 0; i < 5; i++) await store.RecordAlertAsync(Alert($"e{i}", "new", T0.AddMinutes(i), keyframes: 1));
            var r = await store.ApplyRetentionAsync(T0);
            Assert.Equal(new RetentionResult(1, 0), r);
            Assert.Null(await store.GetAsync("old"));
            Assert.Equal(5, await StoredKeyframesAsync(store));
        }
        long size;
        using (var store = await OpenAsync()) size = await SizeBytesAsync(store);
        using (var store = await OpenAsync(maxBytes: size - 1))
        {
            var r = await store.ApplyRetentionAsync(T0);
            Assert.Equal(0, r.DeletedByAge);
            Assert.True(r.DeletedBySize >= 1);
            Assert.True(await SizeBytesAsync(store) < size);
            var left = (await store.SearchAsync(new EventQuery())).Items.Select(e => e.Id).ToArray();
            Assert.Equal(Enumerable.Range(r.DeletedBySize, 5 - r.DeletedBySize).Reverse().Select(i => $"e{i}"), left); // oldest went first
            Assert.Equal(left.Length, await StoredKeyframesAsync(store));
        }
    }
}
