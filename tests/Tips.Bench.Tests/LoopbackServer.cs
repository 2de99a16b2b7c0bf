using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Tips.TestSupport;

namespace Tips.Bench.Tests;

/// <summary>A Kestrel on a loopback port that answers with a test's handler and notes each request's connection.</summary>
internal sealed class LoopbackServer(WebApplication app) : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, int> _connections = new();

    public Uri Url { get; private set; } = null!;

    /// <summary>Requests per connection (by Kestrel's connection id).</summary>
    public IReadOnlyDictionary<string, int> Connections => _connections;

    public static async Task<LoopbackServer> StartAsync(RequestDelegate handle)
    {
        var app = LoopbackApp.Create();
        var server = new LoopbackServer(app);
        app.Run(context =>
        {
            server._connections.AddOrUpdate(context.Connection.Id, 1, (_, n) => n + 1);
            return handle(context);
        });
        server.Url = await LoopbackApp.StartAsync(app);
        return server;
    }

    public async ValueTask DisposeAsync() => await app.DisposeAsync();
}
