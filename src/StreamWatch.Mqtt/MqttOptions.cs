using StreamWatch.Core.Config;

namespace StreamWatch.Mqtt;

/// <summary>Config section "Mqtt": where alerts and state go over MQTT.</summary>
public sealed class MqttOptions : IValidatable
{
    public bool Enabled { get; set; }
    public string Host { get; set; } = "127.0.0.1";
    public int Port { get; set; } = 1883;
    public TlsOptions Tls { get; set; } = new();
    public string? Username { get; set; }
    /// <summary>Inline password; prefer PasswordFile or PasswordEnv. Never logged.</summary>
    public string? Password { get; set; }
    public string? PasswordFile { get; set; }
    public string? PasswordEnv { get; set; }
    /// <summary>This node's name in its availability topic; empty: the host name (other characters than [A-Za-z0-9_-] as '_').</summary>
    public string Node { get; set; } = "";
    /// <summary>Empty: "streamwatch-" + node.</summary>
    public string ClientId { get; set; } = "";
    public int KeepAliveSeconds { get; set; } = 30;
    /// <summary>5 (MQTT 5.0) or 311 (MQTT 3.1.1).</summary>
    public int ProtocolVersion { get; set; } = 5;
    public string TopicPrefix { get; set; } = "streamwatch";
    public MqttDiscoveryOptions Discovery { get; set; } = new();
    public string OutboxPath { get; set; } = "outbox.db";
    /// <summary>Most messages the outbox holds; when full the OLDEST are dropped (logged, counted).</summary>
    public int OutboxCapacity { get; set; } = 100_000;
    /// <summary>Alert messages handed to the client and not yet acknowledged, at most.</summary>
    public int MaxInflight { get; set; } = 100;
    public double StatsIntervalSeconds { get; set; } = 30;
    public double ReconnectMaxSeconds { get; set; } = 30;

    public string EffectiveNode => string.IsNullOrEmpty(Node) ? Topics.NodeId(Environment.MachineName) : Node;
    public string EffectiveClientId => string.IsNullOrEmpty(ClientId) ? "streamwatch-" + EffectiveNode : ClientId;
    public string AvailabilityTopic => Topics.Available(TopicPrefix, EffectiveNode);

    public void Validate(string path, ConfigErrors errors)
    {
        if (!Enabled) return;
        if (string.IsNullOrWhiteSpace(Host)) errors.Add($"{path}:Host", "is required");
        errors.Range(Port, 1, 65535, $"{path}:Port");
        errors.Range(KeepAliveSeconds, 5, 65535, $"{path}:KeepAliveSeconds");
        if (ProtocolVersion is not (5 or 311)) errors.Add($"{path}:ProtocolVersion", $"must be 5 or 311 (got {ProtocolVersion})");
        if (!Topics.IsValidPrefix(TopicPrefix)) errors.Add($"{path}:TopicPrefix", "must be non-empty without '+', '#' or a leading/trailing '/'");
        if (!string.IsNullOrEmpty(Node) && !Topics.IsValidNode(Node)) errors.Add($"{path}:Node", "must be letters, digits, '_' or '-' only");
        if (Discovery.Enabled && !Topics.IsValidPrefix(Discovery.Prefix)) errors.Add($"{path}:Discovery:Prefix", "must be non-empty without '+', '#' or a leading/trailing '/'");
        if (string.IsNullOrWhiteSpace(OutboxPath)) errors.Add($"{path}:OutboxPath", "is required");
        errors.Range(OutboxCapacity, 10, 10_000_000, $"{path}:OutboxCapacity");
        errors.Range(MaxInflight, 1, 1000, $"{path}:MaxInflight");
        errors.Range(StatsIntervalSeconds, 0, 86400, $"{path}:StatsIntervalSeconds");
        errors.Range(ReconnectMaxSeconds, 1, 3600, $"{path}:ReconnectMaxSeconds");
        Secret.Validate(errors, path, "Password", Password, PasswordFile, PasswordEnv);
        if (Secret.IsSet(Password, PasswordFile, PasswordEnv) && string.IsNullOrEmpty(Username)) errors.Add($"{path}:Username", "is required when a password is set");
        Tls.Validate($"{path}:Tls", errors);
    }

    /// <summary>The password from whichever source is set (file: first line), or null.</summary>
    internal string? ResolvePassword() => Secret.Resolve(Password, PasswordFile, PasswordEnv);
}

public sealed class MqttDiscoveryOptions
{
    public bool Enabled { get; set; } = true;
    public string Prefix { get; set; } = "homeassistant";
}
