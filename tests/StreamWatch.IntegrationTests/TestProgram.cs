namespace StreamWatch.IntegrationTests;

/// <summary>
/// Entry point of the test assembly when run as a program (<c>dotnet exec StreamWatch.IntegrationTests.dll MODE …</c>):
/// hidden child modes that tests start as separate processes and kill. Under the test runner it is unused.
/// </summary>
public static class TestProgram
{
    public static int Main(string[] args) => args.FirstOrDefault() switch
    {
        Ingest.OrphanChild.Mode => Ingest.OrphanChild.Run(args[1..]),
        Ingest.FdLeakChild.Mode => Ingest.FdLeakChild.Run(args[1..]),
        Store.StoreWriterChild.Mode => Store.StoreWriterChild.Run(args[1..]),
        _ => 2,
    };
}
