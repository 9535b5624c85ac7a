using System.Net;
using System.Net.Sockets;

namespace StreamWatch.IntegrationTests.Support;

/// <summary>Paths of the checkout and of what scripts/setup.sh installed.</summary>
public static class Repo
{
    public static string Root { get; } = FindRoot();
    public static string Native => Path.Combine(Root, "native");
    public static string Shared => Path.GetFullPath(Path.Combine(Root, "..", "shared"));
    /// <summary>The built daemon (streamwatch.dll), copied next to the test assembly.</summary>
    public static string DaemonDll => Path.Combine(AppContext.BaseDirectory, "streamwatch.dll");

    private static string FindRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d != null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "StreamWatch.sln"))) return d.FullName;
        throw new InvalidOperationException("StreamWatch.sln not found above " + AppContext.BaseDirectory);
    }

    public static string TempDir(string prefix)
    {
        var d = Path.Combine(Path.GetTempPath(), $"sw-{prefix}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(d);
        return d;
    }
}

public static class FreePort
{
    /// <summary>A TCP port on 127.0.0.1 that was free a moment ago.</summary>
    public static int Get()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    /// <summary>Waits until something accepts connections on 127.0.0.1:port.</summary>
    public static async Task WaitOpenAsync(int port, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (true)
        {
            try
            {
                using var c = new TcpClient();
                await c.ConnectAsync(IPAddress.Loopback, port, cts.Token);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(50, cts.Token); // retry interval while the server starts, not a synchronisation sleep
            }
        }
    }
}
