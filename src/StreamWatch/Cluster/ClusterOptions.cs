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
        Etcd.Validate($"{path}:Etcd", errors);
        if (Enabled && Etcd.Endpoints.Count == 0)
            errors.Add($"{path}:Etcd:Endpoints", "is required when Cluster:Enabled is true (e.g. [\"http://127.0.0.1:2379\"])");
    }
}

/// <summary>
/// Section "Cluster:Etcd". TLS (Tls:CaFile set, https endpoints; Tls:CertFile/KeyFile for etcd's
/// --client-cert-auth) and etcd users (Username and one of Password, PasswordFile, PasswordEnv) are
/// each optional and can be combined.
/// </summary>
public sealed class EtcdOptions
{
    /// <summary>etcd client URLs, http:// or with Tls:CaFile https://; tried in order.</summary>
    public List<string> Endpoints { get; set; } = new();
    public TlsOptions Tls { get; set; } = new();
    /// <summary>An etcd user (etcd with auth enabled); empty: none.</summary>
    public string? Username { get; set; }
    /// <summary>Inline password; prefer PasswordFile or PasswordEnv. Never logged.</summary>
    public string? Password { get; set; }
    public string? PasswordFile { get; set; }
    public string? PasswordEnv { get; set; }

    internal string? ResolvePassword() => Secret.Resolve(Password, PasswordFile, PasswordEnv);

    public void Validate(string path, ConfigErrors errors)
    {
        var scheme = Tls.Enabled ? "https" : "http";
        for (var i = 0; i < Endpoints.Count; i++)
            if (!Uri.TryCreate(Endpoints[i], UriKind.Absolute, out var u) || u.Scheme != scheme || u.UserInfo != "" || u.AbsolutePath != "/")
                errors.Add($"{path}:Endpoints:{i}", Tls.Enabled
                    ? "must be an https:// URL of an etcd client endpoint (Tls:CaFile is set), e.g. https://10.0.0.5:2379"
                    : "must be an http:// URL of an etcd client endpoint, e.g. http://127.0.0.1:2379 (https:// needs Tls:CaFile)");
        Tls.Validate($"{path}:Tls", errors);
        Secret.Validate(errors, path, "Password", Password, PasswordFile, PasswordEnv);
        var hasPassword = Secret.IsSet(Password, PasswordFile, PasswordEnv);
        if (hasPassword && string.IsNullOrEmpty(Username)) errors.Add($"{path}:Username", "is required when a password is set");
        if (!hasPassword && !string.IsNullOrEmpty(Username)) errors.Add($"{path}:Password", "Username needs one of Password, PasswordFile, PasswordEnv");
    }
}
