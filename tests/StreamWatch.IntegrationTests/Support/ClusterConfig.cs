using System.Text.Json.Nodes;

namespace StreamWatch.IntegrationTests.Support;

/// <summary>Config and waits for daemons with Cluster:Enabled (docs/scale.md), for DaemonProcess's <c>extra</c>.</summary>
public static class ClusterConfig
{
    /// <summary>cam1..camN, each looping <paramref name="clip"/> at 2 analysis fps, as the Cameras array.</summary>
    public static string Cameras(string clip, int n) => new JsonArray(Enumerable.Range(1, n).Select(i => (JsonNode)new JsonObject
    {
        ["Name"] = $"cam{i}", ["Url"] = clip, ["Loop"] = true, ["AnalysisFps"] = 2,
    }).ToArray()).ToJsonString();

    /// <summary>The <c>Cluster</c> section (and <c>Store</c>: off, or a shared SQLite file) as an <c>extra</c> fragment.</summary>
    public static string Extra(string node, string endpoint, string prefix, int ttl = 10, string? store = null) =>
        (store == null ? """, "Store": {"Enabled": false}""" : $$$""", "Store": {"Enabled": true, "Path": "{{{store}}}"}""")
        + $$$""", "Cluster": {"Enabled": true, "Node": "{{{node}}}", "Etcd": {"Endpoints": ["{{{endpoint}}}"]}, "LeaseTtlSeconds": {{{ttl}}}, "Prefix": "{{{prefix}}}"}""";

    /// <summary>The claim keys under <paramref name="prefix"/> (camera → owner node).</summary>
    public static async Task<Dictionary<string, string>> ClaimsAsync(EtcdServer etcd, string prefix) =>
        (await etcd.GetPrefixAsync(prefix + "/claims/")).ToDictionary(kv => kv.Key[(prefix.Length + 8)..], kv => kv.Value);

    /// <summary>Polls the claim keys until <paramref name="done"/> holds (bounded wait, not a synchronisation sleep).</summary>
    public static async Task<Dictionary<string, string>> WaitClaimsAsync(EtcdServer etcd, string prefix, Func<Dictionary<string, string>, bool> done, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (true)
        {
            var claims = await ClaimsAsync(etcd, prefix);
            if (done(claims)) return claims;
            if (cts.IsCancellationRequested) throw new TimeoutException("claims never got there: " + string.Join(", ", claims.Select(c => $"{c.Key}={c.Value}")));
            await Task.Delay(100); // poll interval inside a bounded wait
        }
    }
}
