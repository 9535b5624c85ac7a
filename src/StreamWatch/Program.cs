using System.Globalization;
using StreamWatch.Cli;

namespace StreamWatch;

public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        // numbers and times are written the same way whatever the host's locale
        CultureInfo.DefaultThreadCurrentCulture = CultureInfo.DefaultThreadCurrentUICulture = CultureInfo.InvariantCulture;
        CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = CultureInfo.InvariantCulture;
        return await StreamWatchCli.InvokeAsync(args);
    }
}
