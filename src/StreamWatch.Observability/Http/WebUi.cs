using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace StreamWatch.Observability.Http;

/// <summary>The web UI at "/": Http/Web/*.html|css|js shipped inside this assembly, no build step.</summary>
internal static class WebUi
{
    private static readonly Dictionary<string, string> Types = new()
    {
        [".html"] = "text/html; charset=utf-8", [".css"] = "text/css; charset=utf-8", [".js"] = "text/javascript; charset=utf-8",
    };

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/", () => File("index.html"));
        app.MapGet("/ui/{file}", (string file) => File(file));
    }

    private static IResult File(string name)
    {
        var stream = typeof(WebUi).Assembly.GetManifestResourceStream("web/" + name);
        if (stream is null || !Types.TryGetValue(Path.GetExtension(name), out var type))
        {
            stream?.Dispose();
            return Results.Json(new { error = $"no file '{name}'" }, statusCode: 404);
        }
        return Results.Stream(stream, type);
    }
}
