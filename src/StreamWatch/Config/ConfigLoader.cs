using System.ComponentModel;
using System.Reflection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using StreamWatch.Core.Config;

namespace StreamWatch.Config;

/// <summary>
/// Reads appsettings.json (next to the executable, then the working directory), an optional
/// <c>--config FILE</c>, and environment variables prefixed <c>STREAMWATCH_</c> (e.g.
/// <c>STREAMWATCH_Mqtt__Password</c>), later sources overriding earlier ones, and registers
/// <see cref="AppOptions"/> with the options system: bound from that configuration, checked by
/// <see cref="AppOptionsValidator"/>, validated on start. The daemon's host runs that validation
/// when it starts; the other verbs run the same one through <see cref="Load"/>. Unknown keys, values
/// of the wrong type and invalid settings all end as <see cref="ConfigException"/> naming the key.
/// </summary>
public static class ConfigLoader
{
    /// <summary>The layered configuration (files, environment, overrides); a missing or malformed file is a <see cref="ConfigException"/>.</summary>
    public static IConfiguration Read(string? extraFile, IDictionary<string, string?>? overrides = null)
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
        try { return builder.Build(); }
        catch (Exception e) when (e is FormatException or InvalidDataException or IOException)
        {
            throw new ConfigException(new[] { $"{extraFile ?? "appsettings.json"}: {e.GetBaseException().Message}" });
        }
    }

    /// <summary>
    /// <see cref="AppOptions"/> bound from <paramref name="config"/> and validated on start
    /// (<c>ValidateOnStart</c>): a fault surfaces as <see cref="OptionsValidationException"/> whose
    /// failures are "key: why" lines. Also registers the bound <see cref="AppOptions"/> itself.
    /// </summary>
    public static IServiceCollection AddStreamWatchOptions(this IServiceCollection services, IConfiguration config)
    {
        services.AddOptions<AppOptions>().Configure(o => Bind(config, o)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<AppOptions>, AppOptionsValidator>();
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<AppOptions>>().Value);
        return services;
    }

    /// <summary>For the verbs that start no host (replay, eval, model check): the same registration and the same start-up validation.</summary>
    public static AppOptions Load(string? extraFile, IDictionary<string, string?>? overrides = null)
    {
        using var services = new ServiceCollection().AddStreamWatchOptions(Read(extraFile, overrides)).BuildServiceProvider();
        try
        {
            services.GetRequiredService<IStartupValidator>().Validate();
            return services.GetRequiredService<AppOptions>();
        }
        catch (OptionsValidationException e) { throw new ConfigException(e.Failures.ToList()); }
    }

    /// <summary>
    /// Every configured key must name a property and every value must convert to its type before the
    /// binder runs: it silently skips list elements that fail (a typo would drop a whole camera),
    /// ignores unknown keys, and names no key when it gives up.
    /// </summary>
    private static void Bind(IConfiguration config, AppOptions options)
    {
        var errors = new ConfigErrors();
        CheckKeys(config, typeof(AppOptions), "", errors);
        if (errors.Any) throw new OptionsValidationException(Options.DefaultName, typeof(AppOptions), errors.Errors);
        try { config.Bind(options); }
        catch (InvalidOperationException e) { throw new OptionsValidationException(Options.DefaultName, typeof(AppOptions), [Explain(e)]); }
    }

    // The binder says "Failed to convert configuration value at 'Cameras:0:AnalysisFps' to type ...".
    // Keep its words (they name the key) but drop the value, which may hold a secret.
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
                if (!string.IsNullOrEmpty(child.Value)) errors.Add(key, "must be a list, not a single value");
                foreach (var item in child.GetChildren())
                    if (IsComplex(element)) CheckKeys(item, element, $"{key}:{item.Key}", errors);
                    else CheckValue(item, element, $"{key}:{item.Key}", errors);
            }
            else if (IsComplex(t))
            {
                if (!string.IsNullOrEmpty(child.Value)) errors.Add(key, "must be an object, not a single value");
                CheckKeys(child, t, key, errors);
            }
            else if (IsScalar(t)) CheckValue(child, t, key, errors);
            // a dictionary (Model:Profiles) is left to the binder and to its section's own validation
        }
    }

    /// <summary>A setting that takes one value: an object or list there (e.g. a password given as {...}) is named, not bound.</summary>
    private static void CheckValue(IConfigurationSection setting, Type t, string key, ConfigErrors errors)
    {
        t = Nullable.GetUnderlyingType(t) ?? t;
        if (setting.GetChildren().Any()) errors.Add(key, $"must be a single value ({t.Name}), not an object or list");
        else if (t.IsEnum && setting.Value is { } name && !Enum.GetNames(t).Contains(name, StringComparer.OrdinalIgnoreCase))
            errors.Add(key, ConfigErrors.OneOf(t)); // names only, any case: the binder would also take "2" or "zone, loiter"
        else if (setting.Value is { } value && !Converts(value, t)) errors.Add(key, $"value cannot be read as {t.Name}");
    }

    private static bool Converts(string value, Type t)
    {
        if (t == typeof(string)) return true;
        try { return TypeDescriptor.GetConverter(t).ConvertFromInvariantString(value) != null; }
        catch (Exception e) when (e is FormatException or NotSupportedException or ArgumentException) { return false; }
    }

    private static bool IsComplex(Type t) => t.IsClass && t != typeof(string) && !t.IsGenericType;
    private static bool IsScalar(Type t) => (Nullable.GetUnderlyingType(t) ?? t) is { IsPrimitive: true } or { IsEnum: true } || t == typeof(string) || t == typeof(decimal);
}

/// <summary>The options system's check of <see cref="AppOptions"/>: every section's own rules, each failure "key: why".</summary>
public sealed class AppOptionsValidator : IValidateOptions<AppOptions>
{
    public ValidateOptionsResult Validate(string? name, AppOptions options)
    {
        var errors = new ConfigErrors();
        options.Validate("", errors);
        return errors.Any ? ValidateOptionsResult.Fail(errors.Errors) : ValidateOptionsResult.Success;
    }
}
