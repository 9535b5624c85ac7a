using StreamWatch.Core.Config;
using StreamWatch.Mqtt;

namespace StreamWatch.Cluster;

/// <summary>
/// Cameras shared across nodes (docs/scale.md): each node keeps an etcd lease and claims cameras
/// under it, so every configured camera has exactly one owner. Off by default.
/// </summary>
public sealed class ClusterOptions : IValidatable
{
    public const string Section = "Cluster";

    public bool Enabled { get; set; }
    /// <summary>This node's id ([A-Za-z0-9_-]); empty: Mqtt:Node's effective node id.</summary>
    public string Node { get; set; } = "";
    public EtcdOptions Etcd { get; set; } = new();
    public int LeaseTtlSeconds { get; set; } = 10;
    /// <summary>Key prefix: &lt;prefix&gt;/nodes/&lt;node&gt; and &lt;prefix&gt;/claims/&lt;camera&gt;.</summary>
    public string Prefix { get; set; } = "/streamwatch";

    public string EffectiveNode(MqttOptions mqtt) => string.IsNullOrEmpty(Node) ? mqtt.EffectiveNode : Node;

    public void Validate(string path, ConfigErrors errors)
    {
        if (!string.IsNullOrEmpty(Node) && !Topics.IsValidNode(Node)) errors.Add($"{path}:Node", "must be letters, digits, '_' or '-' only");
        errors.Range(LeaseTtlSeconds, 2, 60, $"{path}:LeaseTtlSeconds");
        if (!Prefix.StartsWith('/') || Prefix.EndsWith('/') || Prefix.Contains("//") || Prefix.Any(char.IsWhiteSpace))
            errors.Add($"{path}:Prefix", "must start with '/', not end with '/' and hold no spaces (e.g. /streamwatch)");
        for (var i = 0; i < Etcd.Endpoints.Count; i++)
            if (!Uri.TryCreate(Etcd.Endpoints[i], UriKind.Absolute, out var u) || u.Scheme != "http" || u.UserInfo != "" || u.AbsolutePath != "/")
                errors.Add($"{path}:Etcd:Endpoints:{i}", "must be an http:// URL of an etcd client endpoint, e.g. http://127.0.0.1:2379");
        if (Enabled && Etcd.Endpoints.Count == 0)
            errors.Add($"{path}:Etcd:Endpoints", "is required when Cluster:Enabled is true (e.g. [\"http://127.0.0.1:2379\"])");
    }
}

public sealed class EtcdOptions
{
    /// <summary>etcd client URLs (http); tried in order.</summary>
    public List<string> Endpoints { get; set; } = new();
}
