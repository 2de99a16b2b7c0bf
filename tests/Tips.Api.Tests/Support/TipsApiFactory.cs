using System.Net.Http.Headers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Tips.Api.Extensions;
using Tips.ServiceDefaults;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Tips.TestSupport;
using Tips.TestSupport.Serving;

namespace Tips.Api.Tests.Support;

/// <summary>The real Tips.Api over HTTP, on its own fresh database, with settings a test may override.</summary>
public sealed class TipsApiFactory(string connectionString) : WebApplicationFactory<Program>
{
    private readonly Dictionary<string, string?> _settings = new()
    {
        ["ConnectionStrings:Tips"] = connectionString,
        ["Auth:SigningKey"] = TestTokens.SigningKey,
        // Nothing listens on the discard port: tests that want Tips.Serving start a FakeServing and say so.
        ["SERVING_URL"] = "http://127.0.0.1:9",
        ["SERVING_API_KEY"] = ServingKey,
    };

    public const string ServingKey = "api-to-serving-key-0123456789";

    public string ConnectionString { get; } = connectionString;

    /// <summary>The API's wall clock: starts at a fixed moment and moves only when a test moves it (timers stay real).</summary>
    public TestClock Time { get; } = new(new DateTimeOffset(2026, 3, 2, 10, 0, 0, TimeSpan.Zero));

    public TipsApiFactory With(string key, string? value)
    {
        _settings[key] = value;
        return this;
    }

    /// <summary>
    /// The error that stops the API from starting with these settings. It starts the real composition on a host of
    /// its own: WebApplicationFactory may report its disposed host instead of the failure.
    /// </summary>
    public async Task<OptionsValidationException> StartupErrorAsync()
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
        builder.Configuration.AddInMemoryCollection(_settings);
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.AddServiceDefaults("Tips API");
        builder.AddTipsApi();
        await using var app = builder.Build();
        return await Assert.ThrowsAnyAsync<OptionsValidationException>(() => app.StartAsync());
    }

    /// <summary>Points the API at a fake Tips.Serving.</summary>
    public TipsApiFactory WithServing(FakeServing serving) => With("SERVING_URL", serving.Url.ToString());

    /// <summary>A client whose requests carry a valid token for <paramref name="user"/> (none when null).</summary>
    public HttpClient ClientFor(string? user, string? role = null)
    {
        var client = CreateClient();
        if (user is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TestTokens.For(user, role));
        }
        return client;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }
        builder.ConfigureServices(services => services.AddSingleton<TimeProvider>(Time));
    }
}

/// <summary>Base for tests that talk to the API: a fresh database and factory per test.</summary>
public abstract class ApiTest : IAsyncLifetime
{
    protected TipsApiFactory Api { get; private set; } = null!;

    /// <summary>Override to start fakes and change settings; the API itself starts at the first request.</summary>
    public virtual async Task InitializeAsync() => Api = new TipsApiFactory(await TestDatabase.CreateAsync());

    public virtual async Task DisposeAsync() => await Api.DisposeAsync();
}
