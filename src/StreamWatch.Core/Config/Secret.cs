namespace StreamWatch.Core.Config;

/// <summary>
/// A secret given one of three ways: inline (<c>Password</c>), in a file (<c>PasswordFile</c>, its first
/// line; e.g. a systemd credential) or in an environment variable (<c>PasswordEnv</c>). Never logged.
/// </summary>
public static class Secret
{
    /// <summary>At most one source; the file exists; the variable is set. <paramref name="name"/> is the inline key, e.g. "Password".</summary>
    public static void Validate(ConfigErrors errors, string path, string name, string? inline, string? file, string? env)
    {
        if (new[] { inline, file, env }.Count(s => !string.IsNullOrEmpty(s)) > 1)
            errors.Add($"{path}:{name}", $"set at most one of {name}, {name}File, {name}Env");
        if (!string.IsNullOrEmpty(file) && !File.Exists(file)) errors.Add($"{path}:{name}File", "file not found");
        if (!string.IsNullOrEmpty(env) && string.IsNullOrEmpty(Environment.GetEnvironmentVariable(env)))
            errors.Add($"{path}:{name}Env", $"environment variable '{env}' is not set");
    }

    /// <summary>The secret from whichever source is set, or null when none is.</summary>
    public static string? Resolve(string? inline, string? file, string? env) =>
        !string.IsNullOrEmpty(inline) ? inline
        : !string.IsNullOrEmpty(file) ? File.ReadLines(file).FirstOrDefault()?.TrimEnd('\r') ?? ""
        : !string.IsNullOrEmpty(env) ? Environment.GetEnvironmentVariable(env)
        : null;

    public static bool IsSet(string? inline, string? file, string? env) =>
        !string.IsNullOrEmpty(inline) || !string.IsNullOrEmpty(file) || !string.IsNullOrEmpty(env);
}
