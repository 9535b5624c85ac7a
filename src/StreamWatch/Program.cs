namespace StreamWatch;

public static class Program
{
    public static int Main(string[] args)
    {
        Console.Error.WriteLine("streamwatch: not wired yet");
        return 1;
    }
}
