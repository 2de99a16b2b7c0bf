using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

using Tips.TestSupport;

namespace Tips.Doctor.Tests.Support;

/// <summary>
/// A service's <c>GET /health/ready</c> on a real loopback port, answering what the test set, in the shape the
/// service defaults write (<c>{"status","checks":{name:{"status","description","duration_ms"}}}</c>).
/// </summary>
public sealed class FakeReadiness : IAsyncDisposable
{
    private readonly WebApplication _app;

    private FakeReadiness(WebApplication app) => _app = app;

    public Uri Url { get; private set; } = null!;

    public int Status { get; set; } = StatusCodes.Status200OK;

    public string Body { get; set; } = Health("healthy", ("database", "healthy", "Postgres answers."));

    public static async Task<FakeReadiness> StartAsync()
    {
        var app = LoopbackApp.Create();
        var fake = new FakeReadiness(app);
        app.MapGet("/health/ready", async (HttpContext http) =>
        {
            http.Response.StatusCode = fake.Status;
            http.Response.ContentType = "application/json";
            await http.Response.WriteAsync(fake.Body);
        });
        fake.Url = await LoopbackApp.StartAsync(app);
        return fake;
    }

    /// <summary>A readiness body with these checks.</summary>
    public static string Health(string status, params (string Name, string Status, string Description)[] checks) =>
        System.Text.Json.JsonSerializer.Serialize(new
        {
            status,
            checks = checks.ToDictionary(c => c.Name, c => new { status = c.Status, description = c.Description, duration_ms = 1.5 }),
        });

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
