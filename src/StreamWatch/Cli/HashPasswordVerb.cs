using System.CommandLine;
using StreamWatch.Observability.Http.Api;

namespace StreamWatch.Cli;

/// <summary><c>streamwatch hash-password</c>: reads a password from standard input, prints its hash for Observability:Auth:PasswordHash.</summary>
public static class HashPasswordVerb
{
    public static Command Create()
    {
        var verb = new Command("hash-password", "Read a password from standard input and print its hash for Observability:Auth:PasswordHash");
        verb.SetAction(p =>
        {
            var password = Console.In.ReadLine();
            if (string.IsNullOrEmpty(password)) throw new UsageException("no password on standard input");
            p.InvocationConfiguration.Output.WriteLine(PasswordHash.Create(password));
            return 0;
        });
        return verb;
    }
}
