using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Tips.Bench.Tests;

/// <summary>A Kestrel on a loopback port that answers with <paramref name="handle"/> and notes each request's
/// connection.</summary>
internal sealed class LoopbackServer(WebApplication app) : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, int> _connections = new();

    public Uri Url { get; private set; } = null!;

    /// <summary>Requests per connection (by Kestrel's connection id).</summary>
    public IReadOnlyDictionary<string, int> Connections => _connections;

    public static async Task<LoopbackServer> StartAsync(RequestDelegate handle)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], EnvironmentName = "Testing" });
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var server = new LoopbackServer(app);
        app.Run(context =>
        {
            server._connections.AddOrUpdate(context.Connection.Id, 1, (_, n) => n + 1);
            return handle(context);
        });
        await app.StartAsync();
        server.Url = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return server;
    }

    public async ValueTask DisposeAsync() => await app.DisposeAsync();
}
