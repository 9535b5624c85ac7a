using Microsoft.Extensions.Logging.Abstractions;
using StreamWatch.Cluster;
using StreamWatch.Core.Cluster;

namespace StreamWatch.Tests.Cluster;

/// <summary>The supervisor's reactions, with the coordinator's state in memory (the etcd adapter has its own tests against a real etcd).</summary>
public sealed class ClusterSupervisorTests
{
    /// <summary>What etcd holds, shared by the nodes of a test; every call is logged in order.</summary>
    private sealed class Store
    {
        public readonly HashSet<string> Nodes = new();
        public readonly Dictionary<string, string> Claims = new();
        public readonly List<string> Log = new();
    }

    private sealed class MemoryCoordinator(Store store, string node, SteppedClock clock) : ICoordinator
    {
        public string Node => node;
        public LeaseFence Fence { get; } = new(clock);
        public ClusterView View => new(store.Nodes.Order().ToList(), new Dictionary<string, string>(store.Claims));
        public bool LeaseLost { get; set; }
        public bool Reachable => true;
        public Task WaitChangeAsync(TimeSpan timeout, CancellationToken ct) => Task.CompletedTask;
        public Task StartAsync(CancellationToken ct) { store.Nodes.Add(node); Fence.Granted(clock.GetTimestamp(), TimeSpan.FromSeconds(10)); return Task.CompletedTask; }
        public Task RenewLeaseAsync(CancellationToken ct) { store.Log.Add($"{node} renew"); LeaseLost = false; return StartAsync(ct); }
        public Task<bool> TryClaimAsync(string camera, CancellationToken ct)
        {
            var ok = store.Claims.TryAdd(camera, node);
            if (ok) store.Log.Add($"{node} claim {camera}");
            return Task.FromResult(ok);
        }
        public Task ReleaseAsync(string camera, CancellationToken ct)
        {
            if (store.Claims.GetValueOrDefault(camera) == node) { store.Claims.Remove(camera); store.Log.Add($"{node} release {camera}"); }
            return Task.CompletedTask;
        }
        /// <summary>etcd expired the lease: its keys are gone.</summary>
        public void Expire()
        {
            store.Nodes.Remove(node);
            foreach (var c in store.Claims.Where(c => c.Value == node).Select(c => c.Key).ToList()) store.Claims.Remove(c);
            LeaseLost = true;
        }
        public Task LeaveAsync(CancellationToken ct) => Task.CompletedTask;
        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    private sealed class Host(Store store, string node) : ICameraHost
    {
        public readonly HashSet<string> Running = new();
        public int Reopened;
        public void Start(string camera) { Assert.True(Running.Add(camera), $"{camera} started twice"); store.Log.Add($"{node} start {camera}"); }
        public Task StopAsync(string camera) { if (Running.Remove(camera)) store.Log.Add($"{node} stop {camera}"); return Task.CompletedTask; }
        public Task EndLeftOpenAsync(string camera, CancellationToken ct) { store.Log.Add($"{node} end-left-open {camera}"); return Task.CompletedTask; }
        public void FenceOpened() => Reopened++;
    }

    private static readonly string[] Cameras = Enumerable.Range(1, 6).Select(i => $"cam{i}").ToArray();

    private static async Task<(MemoryCoordinator C, Host H, ClusterSupervisor S)> NodeAsync(Store store, string node, SteppedClock clock)
    {
        var c = new MemoryCoordinator(store, node, clock);
        await c.StartAsync(default);
        var h = new Host(store, node);
        return (c, h, new ClusterSupervisor(c, Cameras, h, NullLogger.Instance));
    }

    [Fact]
    public async Task A_lone_node_claims_every_camera_and_ends_left_open_incidents_before_starting_it()
    {
        var store = new Store();
        var a = await NodeAsync(store, "a", new SteppedClock());
        await a.S.StepAsync(default);
        Assert.Equal(Cameras, a.H.Running.Order());
        Assert.All(Cameras, c => Assert.Equal("a", store.Claims[c]));
        foreach (var c in Cameras)
            Assert.True(store.Log.IndexOf($"a claim {c}") < store.Log.IndexOf($"a end-left-open {c}")
                && store.Log.IndexOf($"a end-left-open {c}") < store.Log.IndexOf($"a start {c}"), string.Join("\n", store.Log));
        Assert.Equal(6, a.S.Owned);
        await a.S.StepAsync(default); // nothing changed: nothing happens
        Assert.Equal(6 * 3, store.Log.Count);
    }

    [Fact]
    public async Task On_a_join_the_old_owner_stops_then_releases_and_the_new_one_claims_then_starts()
    {
        var store = new Store();
        var clock = new SteppedClock();
        var a = await NodeAsync(store, "a", clock);
        await a.S.StepAsync(default);
        var b = await NodeAsync(store, "b", clock);
        await b.S.StepAsync(default);
        Assert.Empty(b.H.Running); // all still a's
        await a.S.StepAsync(default);
        await b.S.StepAsync(default);
        Assert.Equal(3, a.H.Running.Count);
        Assert.Equal(3, b.H.Running.Count);
        Assert.Empty(a.H.Running.Intersect(b.H.Running));
        foreach (var c in b.H.Running)
        {
            int At(string e) => store.Log.IndexOf(e);
            Assert.True(At($"a stop {c}") < At($"a release {c}") && At($"a release {c}") < At($"b claim {c}") && At($"b claim {c}") < At($"b start {c}"),
                string.Join("\n", store.Log));
        }
        await a.S.StepAsync(default);
        await b.S.StepAsync(default);
        Assert.Equal(3, a.H.Running.Count); // settled
    }

    [Fact]
    public async Task When_the_fence_closes_every_camera_stops_without_release_and_a_new_lease_rejoins()
    {
        var store = new Store();
        var clock = new SteppedClock();
        var a = await NodeAsync(store, "a", clock);
        await a.S.StepAsync(default);
        clock.Advance(TimeSpan.FromSeconds(30)); // paused past the lease
        await a.S.StepAsync(default);
        Assert.Empty(a.H.Running);
        Assert.DoesNotContain(store.Log, e => e.Contains("release"));
        Assert.Equal(6, store.Claims.Count); // etcd has not said yet: no renew, claims untouched
        Assert.DoesNotContain("a renew", store.Log);

        a.C.Expire();
        await a.S.StepAsync(default); // renews
        Assert.Contains("a renew", store.Log);
        await a.S.StepAsync(default);
        Assert.Equal(Cameras, a.H.Running.Order());
        Assert.Equal(1, a.H.Reopened);
    }

    [Fact]
    public async Task A_fence_that_reopens_on_the_same_lease_restarts_the_cameras_it_still_holds()
    {
        var store = new Store();
        var clock = new SteppedClock();
        var a = await NodeAsync(store, "a", clock);
        await a.S.StepAsync(default);
        clock.Advance(TimeSpan.FromSeconds(30));
        await a.S.StepAsync(default);
        Assert.Empty(a.H.Running);
        a.C.Fence.Granted(clock.GetTimestamp(), TimeSpan.FromSeconds(10)); // etcd answered: the lease was still there
        await a.S.StepAsync(default);
        Assert.Equal(Cameras, a.H.Running.Order());
        Assert.Equal(1, a.H.Reopened);
        Assert.Equal(6, store.Log.Count(e => e.StartsWith("a claim")));
    }

    [Fact]
    public async Task A_claim_taken_by_another_node_stops_the_camera_here()
    {
        var store = new Store();
        var a = await NodeAsync(store, "a", new SteppedClock());
        await a.S.StepAsync(default);
        await a.S.StepAsync(default); // the "watch" shows a's claims
        store.Claims["cam1"] = "x"; // e.g. an operator moved it
        await a.S.StepAsync(default);
        Assert.DoesNotContain("cam1", a.H.Running);
        Assert.Contains("a stop cam1", store.Log);
    }
}
