namespace StreamWatch.Mqtt;

/// <summary>Every topic StreamWatch publishes to (see docs/mqtt.md). Pure.</summary>
public static class Topics
{
    /// <summary>One availability topic per node (its Last Will goes there); nothing else depends on the node.</summary>
    public static string Available(string prefix, string node) => $"{prefix}/nodes/{node}/available";
    public static string Status(string prefix, string camera) => $"{prefix}/{camera}/status";
    public static string Motion(string prefix, string camera) => $"{prefix}/{camera}/motion";
    public static string Events(string prefix) => $"{prefix}/events";
    public static string Stats(string prefix) => $"{prefix}/stats";
    public static string Snapshot(string prefix, string camera, string rule) => $"{prefix}/{camera}/{rule}/snapshot";
    /// <summary>Retained JSON with the rule's alert state (ON while an alert is open) and last description.</summary>
    public static string RuleState(string prefix, string camera, string rule) => $"{prefix}/{camera}/{rule}/state";

    public static string Discovery(string discoveryPrefix, string component, string node, string objectId) =>
        $"{discoveryPrefix}/{component}/{node}/{objectId}/config";

    /// <summary>A prefix is one or more topic levels without wildcards or empty levels.</summary>
    public static bool IsValidPrefix(string? prefix) =>
        !string.IsNullOrEmpty(prefix) && !prefix.Contains('+') && !prefix.Contains('#') && !prefix.Contains('\0')
        && !prefix.Split('/').Any(string.IsNullOrEmpty);

    /// <summary>A node name is one topic level of [A-Za-z0-9_-] (it is also part of the default client id).</summary>
    public static bool IsValidNode(string? node) => !string.IsNullOrEmpty(node) && node.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-');

    /// <summary>Node id for discovery topics and unique ids: the prefix with anything but [A-Za-z0-9_-] as '_'.</summary>
    public static string NodeId(string prefix) =>
        new(prefix.Select(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' ? c : '_').ToArray());
}
