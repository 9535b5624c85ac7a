using System.ComponentModel;
using System.Reflection;
using Microsoft.Extensions.Configuration;
using StreamWatch.Core.Config;

namespace StreamWatch.Config;

/// <summary>
/// Reads appsettings.json (next to the executable, then the working directory), an optional
/// <c>--config FILE</c>, and environment variables prefixed <c>STREAMWATCH_</c> (e.g.
/// <c>STREAMWATCH_Mqtt__Password</c>), later sources overriding earlier ones. Unknown keys, values
/// of the wrong type and invalid settings all raise <see cref="ConfigException"/> naming the key.
/// </summary>
public static class ConfigLoader
{
    public static AppOptions Load(string? extraFile, IDictionary<string, string?>? overrides = null)
    {
        var builder = new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true)
            .AddJsonFile(Path.Combine(Environment.CurrentDirectory, "appsettings.json"), optional: true);
        if (extraFile != null)
        {
            if (!File.Exists(extraFile)) throw new ConfigException(new[] { $"--config: file '{extraFile}' does not exist" });
            builder.AddJsonFile(Path.GetFullPath(extraFile), optional: false);
        }
        builder.AddEnvironmentVariables("STREAMWATCH_");
        if (overrides != null) builder.AddInMemoryCollection(overrides);

        IConfigurationRoot config;
        try { config = builder.Build(); }
        catch (Exception e) when (e is FormatException or InvalidDataException or IOException)
        {
            throw new ConfigException(new[] { $"{extraFile ?? "appsettings.json"}: {e.GetBaseException().Message}" });
        }

        var errors = new ConfigErrors();
        CheckKeys(config, typeof(AppOptions), "", errors);
        if (errors.Any) throw new ConfigException(errors.Errors);
        var options = new AppOptions();
        try
        {
            config.Bind(options);
        }
        catch (InvalidOperationException e)
        {
            throw new ConfigException(new[] { Explain(e) });
        }
        options.Validate("", errors);
        if (errors.Any) throw new ConfigException(errors.Errors);
        return options;
    }

    // The binder says "Failed to convert configuration value at 'Cameras:0:AnalysisFps' to type ..."
    // or "'X' does not contain properties for the following configuration keys: ...". Keep its words
    // (they name the key) but drop the value, which may hold a secret.
    private static string Explain(InvalidOperationException e)
    {
        var msg = e.Message;
        var at = msg.IndexOf(" at '", StringComparison.Ordinal);
        if (msg.StartsWith("Failed to convert", StringComparison.Ordinal) && at > 0)
        {
            var end = msg.IndexOf('\'', at + 5);
            var key = end > at ? msg[(at + 5)..end] : "?";
            var type = msg.Contains("to type '") ? msg[(msg.IndexOf("to type '", StringComparison.Ordinal) + 9)..].TrimEnd('.', '\'') : "the expected type";
            return $"{key}: value cannot be read as {type.Replace("System.", "")}";
        }
        return msg;
    }

    /// <summary>
    /// Every configured key must name a property and every value must convert to its type: the
    /// binder silently skips list elements that fail, so a typo would otherwise drop a whole camera.
    /// </summary>
    private static void CheckKeys(IConfiguration section, Type type, string path, ConfigErrors errors)
    {
        foreach (var child in section.GetChildren())
        {
            var key = path.Length == 0 ? child.Key : $"{path}:{child.Key}";
            var prop = type.GetProperty(child.Key, BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase);
            if (prop == null) { errors.Add(key, "unknown configuration key"); continue; }
            var t = prop.PropertyType;
            var element = t.IsGenericType && t.GetGenericTypeDefinition() == typeof(List<>) ? t.GetGenericArguments()[0] : null;
            if (element != null)
            {
                if (IsComplex(element))
                    foreach (var item in child.GetChildren()) CheckKeys(item, element, $"{key}:{item.Key}", errors);
            }
            else if (IsComplex(t)) CheckKeys(child, t, key, errors);
            else if (child.Value is { } value && !Converts(value, Nullable.GetUnderlyingType(t) ?? t))
                errors.Add(key, $"value cannot be read as {(Nullable.GetUnderlyingType(t) ?? t).Name}");
        }
    }

    private static bool Converts(string value, Type t)
    {
        if (t == typeof(string)) return true;
        try { return TypeDescriptor.GetConverter(t).ConvertFromInvariantString(value) != null; }
        catch (Exception e) when (e is FormatException or NotSupportedException or ArgumentException) { return false; }
    }

    private static bool IsComplex(Type t) => t.IsClass && t != typeof(string) && !t.IsGenericType;
}
