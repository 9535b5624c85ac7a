namespace StreamWatch.Core.Config;

/// <summary>Collects configuration problems, each naming the key (e.g. <c>Cameras:0:Url</c>) and why.</summary>
public sealed class ConfigErrors
{
    private readonly List<string> _errors = new();
    public IReadOnlyList<string> Errors => _errors;
    public bool Any => _errors.Count > 0;
    public void Add(string key, string why) => _errors.Add($"{key}: {why}");

    /// <summary>"must be one of motion, zone, loiter, direction": the names a closed set accepts, as configuration spells them.</summary>
    public static string OneOf<T>() where T : struct, Enum => OneOf(typeof(T));
    public static string OneOf(Type enumType) => $"must be one of {string.Join(", ", Enum.GetNames(enumType).Select(n => n.ToLowerInvariant()))}";

    public void Require(bool ok, string key, string why) { if (!ok) Add(key, why); }
    public void Range(double value, double min, double max, string key)
    {
        if (double.IsNaN(value) || value < min || value > max) Add(key, $"must be between {min} and {max} (got {value})");
    }
}

/// <summary>An options section that can check itself.</summary>
public interface IValidatable
{
    void Validate(string path, ConfigErrors errors);
}

/// <summary>Thrown when configuration is invalid; the daemon exits with code 78 (EX_CONFIG).</summary>
public sealed class ConfigException(IReadOnlyList<string> errors)
    : Exception("invalid configuration:\n  " + string.Join("\n  ", errors))
{
    public const int ExitCode = 78;
    public IReadOnlyList<string> Errors { get; } = errors;
}
