using StreamWatch.Cluster;
using StreamWatch.Core.Config;
using StreamWatch.Core.Gate;
using StreamWatch.Core.Keyframes;
using StreamWatch.Core.Motion;
using StreamWatch.Inference.Profiles;
using StreamWatch.Mqtt;
using StreamWatch.Observability;
using StreamWatch.Store;

namespace StreamWatch.Config;

/// <summary>The whole configuration, one section per stage (appsettings.json documents every key).</summary>
public sealed class AppOptions : IValidatable
{
    public List<CameraOptions> Cameras { get; set; } = new();
    public MotionOptions Motion { get; set; } = new();
    public GateOptions Gate { get; set; } = new();
    public KeyframeOptions Keyframes { get; set; } = new();
    public OutputOptions Output { get; set; } = new();
    public MqttOptions Mqtt { get; set; } = new();
    public ObservabilityOptions Observability { get; set; } = new();
    public ModelOptions Model { get; set; } = new();
    public StoreOptions Store { get; set; } = new();
    public ClusterOptions Cluster { get; set; } = new();

    public void Validate(string path, ConfigErrors errors)
    {
        var names = new HashSet<string>();
        for (var i = 0; i < Cameras.Count; i++)
        {
            Cameras[i].Validate($"Cameras:{i}", errors);
            if (!names.Add(Cameras[i].Name)) errors.Add($"Cameras:{i}:Name", $"duplicate camera '{Cameras[i].Name}'");
        }
        Motion.Validate("Motion", errors);
        Gate.Validate("Gate", errors);
        Keyframes.Validate("Keyframes", errors);
        Output.Validate("Output", errors);
        Mqtt.Validate("Mqtt", errors);
        Observability.Validate("Observability", errors);
        Model.Validate("Model", errors);
        Store.Validate("Store", errors);
        Cluster.Validate(ClusterOptions.Section, errors);
    }
}

/// <summary>Local outputs: the state directory, the JSONL event file and the sink queues.</summary>
public sealed class OutputOptions : IValidatable
{
    /// <summary>Where durable state lives (outbox, events). systemd sets it to $STATE_DIRECTORY.</summary>
    public string StateDirectory { get; set; } = "state";
    /// <summary>JSON-lines event file, relative to StateDirectory; empty turns it off.</summary>
    public string JsonlFile { get; set; } = "events.jsonl";
    /// <summary>Events each sink may have queued before the oldest is dropped (and counted).</summary>
    public int SinkQueueCapacity { get; set; } = 4096;
    /// <summary>Frames a camera may have waiting for analysis; a frame that finds them all waiting is dropped (and counted).</summary>
    public int FrameQueueCapacity { get; set; } = 4;

    public string Resolve(string file) => Path.IsPathRooted(file) ? file : Path.Combine(StateDirectory, file);

    public void Validate(string path, ConfigErrors errors)
    {
        if (string.IsNullOrWhiteSpace(StateDirectory)) errors.Add($"{path}:StateDirectory", "is required");
        errors.Range(SinkQueueCapacity, 16, 1_000_000, $"{path}:SinkQueueCapacity");
        errors.Range(FrameQueueCapacity, 1, 256, $"{path}:FrameQueueCapacity");
    }
}
