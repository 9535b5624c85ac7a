using System.Reflection;

namespace StreamWatch.Cli;

/// <summary>
/// The version and git commit this binary was built from, read from the informational version
/// ("1.0.0+&lt;commit&gt;"): the .NET SDK's bundled SourceLink sets <c>SourceRevisionId</c> from the
/// checkout's .git (no git executable needed) and <c>IncludeSourceRevisionInInformationalVersion</c>
/// appends it; a build outside git gets plain "1.0.0" and no commit, without a warning.
/// </summary>
public static class BuildInfo
{
    private static readonly string Informational =
        typeof(BuildInfo).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";

    public static string Version => Informational.Split('+')[0];

    /// <summary>The short commit, or null for a build outside a git checkout.</summary>
    public static string? Commit => Informational.Split('+') is [_, var c, ..] && c.Length > 0 ? c[..Math.Min(c.Length, 12)] : null;

    public static string VersionLine => $"streamwatch {Version} (commit {Commit ?? "unknown"})";
}
