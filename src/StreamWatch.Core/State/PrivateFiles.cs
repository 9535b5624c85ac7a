namespace StreamWatch.Core.State;

/// <summary>
/// State (events, outbox, retained ledger) is for the daemon's user only: folders are created
/// 0700, files created 0600, and a state file found with wider permissions is narrowed to 0600.
/// An existing folder keeps its mode (it may be one the operator chose and shares).
/// </summary>
public static class PrivateFiles
{
    public const UnixFileMode FolderMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    public const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Creates the folder of <paramref name="file"/> (0700) if it is missing.</summary>
    public static void CreateFolderOf(string file)
    {
        if (Path.GetDirectoryName(Path.GetFullPath(file)) is { } dir) CreateFolder(dir);
    }

    public static void CreateFolder(string dir)
    {
        if (OperatingSystem.IsWindows()) throw new PlatformNotSupportedException();
        if (!Directory.Exists(dir)) Directory.CreateDirectory(dir, FolderMode);
    }

    /// <summary>Opens (creating it 0600) a state file; one that exists is narrowed to 0600.</summary>
    public static FileStream Open(string path, System.IO.FileMode mode, FileAccess access, FileShare share = FileShare.Read)
    {
        if (OperatingSystem.IsWindows()) throw new PlatformNotSupportedException();
        CreateFolderOf(path);
        Restrict(path);
        return new FileStream(path, new FileStreamOptions { Mode = mode, Access = access, Share = share, UnixCreateMode = FileMode });
    }

    /// <summary>Sets an existing file to 0600 (no-op when it does not exist).</summary>
    public static void Restrict(string path)
    {
        if (OperatingSystem.IsWindows()) throw new PlatformNotSupportedException();
        if (File.Exists(path) && File.GetUnixFileMode(path) != FileMode) File.SetUnixFileMode(path, FileMode);
    }
}
