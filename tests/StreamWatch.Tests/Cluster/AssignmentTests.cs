using StreamWatch.Core.Cluster;

namespace StreamWatch.Tests.Cluster;

public sealed class AssignmentTests
{
    private static List<string> Cams(int n) => Enumerable.Range(1, n).Select(i => $"cam{i:D3}").ToList();
    private static List<string> Nodes(int n) => Enumerable.Range(0, n).Select(i => ((char)('a' + i)).ToString()).ToList();

    public static TheoryData<int, int> Sizes => new() { { 12, 3 }, { 12, 1 }, { 1, 3 }, { 7, 3 }, { 100, 7 }, { 11, 5 }, { 10, 4 }, { 3, 4 }, { 250, 9 } };

    [Theory, MemberData(nameof(Sizes))]
    public void Every_camera_has_exactly_one_live_owner_and_the_load_is_bounded(int cameras, int nodes)
    {
        var cams = Cams(cameras);
        var a = Assignment.Compute(Nodes(nodes), cams);
        Assert.Equal(cams.Order(), a.Keys.Order());
        Assert.All(a.Values, n => Assert.Contains(n, Nodes(nodes)));
        var loads = Nodes(nodes).Select(n => a.Values.Count(v => v == n)).ToList();
        Assert.All(loads, l => Assert.InRange(l, cameras / nodes, (cameras + nodes - 1) / nodes));
    }

    [Fact]
    public void Does_not_depend_on_the_order_nodes_and_cameras_are_listed_in()
    {
        var cams = Cams(40);
        var a = Assignment.Compute(["c", "a", "b"], cams);
        var b = Assignment.Compute(["a", "b", "c"], Enumerable.Reverse(cams));
        Assert.Equal(a.OrderBy(x => x.Key), b.OrderBy(x => x.Key));
    }

    [Fact]
    public void Is_its_own_fixpoint_given_its_answer_as_the_current_owners()
    {
        var cams = Cams(37);
        var a = Assignment.Compute(Nodes(4), cams);
        Assert.Equal(a.OrderBy(x => x.Key), Assignment.Compute(Nodes(4), cams, a).OrderBy(x => x.Key));
    }

    [Theory, MemberData(nameof(Sizes))]
    public void A_join_moves_only_cameras_to_the_new_node_and_about_cameras_over_nodes_of_them(int cameras, int nodes)
    {
        var cams = Cams(cameras);
        var before = Assignment.Compute(Nodes(nodes), cams);
        var after = Assignment.Compute(Nodes(nodes + 1), cams, before);
        var moved = cams.Where(c => before[c] != after[c]).ToList();
        var joiner = Nodes(nodes + 1)[^1];
        Assert.All(moved, c => Assert.Equal(joiner, after[c]));
        Assert.InRange(moved.Count, cameras / (nodes + 1), (cameras + nodes) / (nodes + 1));
    }

    [Theory, MemberData(nameof(Sizes))]
    public void A_leave_moves_only_the_leavers_cameras(int cameras, int nodes)
    {
        if (nodes < 2) return;
        var cams = Cams(cameras);
        var all = Nodes(nodes);
        foreach (var leaver in all)
        {
            var before = Assignment.Compute(all, cams);
            var rest = all.Where(n => n != leaver).ToList();
            var current = before.Where(x => x.Value != leaver).ToDictionary(); // its claims expired with its lease
            var after = Assignment.Compute(rest, cams, current);
            Assert.All(cams.Where(c => before[c] != after[c]), c => Assert.Equal(leaver, before[c]));
            var loads = rest.Select(n => after.Values.Count(v => v == n)).ToList();
            Assert.All(loads, l => Assert.InRange(l, cameras / rest.Count, (cameras + rest.Count - 1) / rest.Count));
        }
    }

    [Fact]
    public void A_join_then_a_leave_of_several_nodes_in_a_row_keeps_both_properties()
    {
        var cams = Cams(60);
        var nodes = new List<string> { "n1" };
        var current = Assignment.Compute(nodes, cams);
        foreach (var step in new[] { "+n2", "+n3", "+n4", "-n2", "+n5", "-n1", "-n4", "+n6" })
        {
            var node = step[1..];
            IReadOnlyDictionary<string, string> view = current;
            if (step[0] == '+') nodes.Add(node);
            else { nodes.Remove(node); view = current.Where(x => x.Value != node).ToDictionary(); }
            var next = Assignment.Compute(nodes, cams, view);
            foreach (var c in cams.Where(c => current[c] != next[c]))
                Assert.True(step[0] == '+' ? next[c] == node : current[c] == node, $"{step}: {c} moved {current[c]} → {next[c]}");
            current = next.ToDictionary();
        }
    }

    [Fact]
    public void Owners_that_are_no_longer_live_are_ignored_and_no_nodes_means_no_owners()
    {
        var cams = Cams(6);
        var a = Assignment.Compute(["a"], cams, cams.ToDictionary(c => c, _ => "gone"));
        Assert.All(cams, c => Assert.Equal("a", a[c]));
        Assert.Empty(Assignment.Compute([], cams));
    }

    [Fact]
    public void Plan_claims_free_cameras_assigned_to_me_and_releases_mine_assigned_elsewhere()
    {
        var cams = Cams(12);
        var alone = Assignment.Compute(["a"], cams); // a held all twelve; b joined
        var step = ClusterPlan.Decide("a", ["a", "b"], cams, alone);
        Assert.Empty(step.Claim);
        Assert.Equal(6, step.Release.Count);
        var forB = ClusterPlan.Decide("b", ["a", "b"], cams, alone);
        Assert.Empty(forB.Claim); // still held by a: b waits for the keys to go
        var released = alone.Where(x => !step.Release.Contains(x.Key)).ToDictionary();
        Assert.Equal(step.Release, ClusterPlan.Decide("b", ["a", "b"], cams, released).Claim);
        Assert.Empty(ClusterPlan.Decide("a", ["a", "b"], cams, released).Release);
    }
}
