using System.Text.Json;
using StreamWatch.Core.Config;

namespace StreamWatch.Mqtt.HomeAssistant;

/// <summary>One retained discovery message.</summary>
public sealed record DiscoveryMessage(string Topic, string Component, byte[] Payload);

/// <summary>
/// Home Assistant MQTT discovery (https://www.home-assistant.io/integrations/mqtt/#mqtt-discovery):
/// per camera a motion and a status binary_sensor, per rule an alert binary_sensor, a description
/// sensor and a camera entity for the snapshot. Pure.
/// </summary>
public static class Discovery
{
    /// <param name="availabilityTopic">The publishing node's; unique ids and state topics do not depend on the node.</param>
    public static IReadOnlyList<DiscoveryMessage> Build(string topicPrefix, string discoveryPrefix, IEnumerable<CameraOptions> cameras, string version, string availabilityTopic)
    {
        var node = Topics.NodeId(topicPrefix);
        var list = new List<DiscoveryMessage>();
        foreach (var cam in cameras)
        {
            var c = cam.Name;
            void Add(string component, string objectId, Action<Utf8JsonWriter> fields) =>
                list.Add(new DiscoveryMessage(Topics.Discovery(discoveryPrefix, component, node, $"{c}_{objectId}"), component,
                    Payloads.Write(w =>
                    {
                        w.WriteString("unique_id", $"{node}_{c}_{objectId}");
                        w.WriteString("object_id", $"{node}_{c}_{objectId}");
                        fields(w);
                        Availability(w, availabilityTopic);
                        Device(w, node, c, version);
                    })));

            Add("binary_sensor", "motion", w =>
            {
                w.WriteString("name", "Motion");
                w.WriteString("state_topic", Topics.Motion(topicPrefix, c));
                w.WriteString("payload_on", "ON");
                w.WriteString("payload_off", "OFF");
                w.WriteString("device_class", "motion");
            });
            Add("binary_sensor", "status", w =>
            {
                w.WriteString("name", "Stream");
                w.WriteString("state_topic", Topics.Status(topicPrefix, c));
                w.WriteString("payload_on", "online");
                w.WriteString("payload_off", "offline");
                w.WriteString("device_class", "connectivity");
                w.WriteString("entity_category", "diagnostic");
            });
            foreach (var rule in cam.Rules)
            {
                var r = rule.Name;
                var state = Topics.RuleState(topicPrefix, c, r);
                Add("binary_sensor", $"{r}_alert", w =>
                {
                    w.WriteString("name", $"{r} alert");
                    w.WriteString("state_topic", state);
                    w.WriteString("value_template", "{{ value_json.state }}");
                    w.WriteString("payload_on", "ON");
                    w.WriteString("payload_off", "OFF");
                    w.WriteString("device_class", "problem");
                });
                Add("sensor", $"{r}_description", w =>
                {
                    w.WriteString("name", $"{r} last alert");
                    w.WriteString("state_topic", state);
                    w.WriteString("value_template", "{{ (value_json.description or value_json.label or '')[:255] }}");
                    w.WriteString("icon", "mdi:cctv");
                });
                Add("camera", $"{r}_snapshot", w =>
                {
                    w.WriteString("name", $"{r} snapshot");
                    w.WriteString("topic", Topics.Snapshot(topicPrefix, c, r));
                });
            }
        }
        return list;
    }

    /// <summary>Online only when the availability topic says "online" ("offline" and "stopped" both mean unavailable).</summary>
    private static void Availability(Utf8JsonWriter w, string topic)
    {
        w.WriteStartArray("availability");
        w.WriteStartObject();
        w.WriteString("topic", topic);
        w.WriteString("payload_available", "online");
        w.WriteString("payload_not_available", "offline");
        w.WriteString("value_template", "{{ 'online' if value == 'online' else 'offline' }}");
        w.WriteEndObject();
        w.WriteEndArray();
    }

    private static void Device(Utf8JsonWriter w, string node, string camera, string version)
    {
        w.WriteStartObject("device");
        w.WriteStartArray("identifiers");
        w.WriteStringValue($"{node}_{camera}");
        w.WriteEndArray();
        w.WriteString("name", camera);
        w.WriteString("manufacturer", "StreamWatch");
        w.WriteString("model", "StreamWatch camera");
        w.WriteString("sw_version", version);
        w.WriteEndObject();
    }
}
