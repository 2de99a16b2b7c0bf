using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Tips.Serving.Tests.Support;

/// <summary>
/// The real Tips.Serving over HTTP, pointed at a gateway URL through the documented variables, with a fake clock
/// and every log line captured (all levels) for assertions.
/// </summary>
public sealed class ServingFactory : WebApplicationFactory<Program>
{
    private readonly Dictionary<string, string?> _settings;

    public ServingFactory(Uri gatewayUrl, string? masterKey)
    {
        _settings = new Dictionary<string, string?>
        {
            ["LITELLM_URL"] = gatewayUrl.ToString(),
            ["LITELLM_MASTER_KEY"] = masterKey,
            ["SERVING_API_KEY"] = ServingKey,
            // HTTP retries happen at once in tests; the clock is fake and speed is never asserted.
            ["Gateway:HttpRetryDelay"] = "00:00:00",
        };
    }

    /// <summary>The internal key Tips.Api would send; every client of this factory sends it.</summary>
    public const string ServingKey = "serving-key-for-tests-0123456789";

    /// <summary>The clock the service sees; moves only when a test moves it.</summary>
    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero));

    public FakeLogCollector Logs => Services.GetFakeLogCollector();

    public ServingFactory With(string key, string? value)
    {
        _settings[key] = value;
        return this;
    }

    protected override void ConfigureClient(HttpClient client)
    {
        base.ConfigureClient(client);
        client.DefaultRequestHeaders.Add("X-Serving-Key", ServingKey);
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }
        builder.ConfigureLogging(logging => logging
            .ClearProviders()
            .AddFakeLogging()
            .AddFilter<FakeLoggerProvider>(null, LogLevel.Trace));
        builder.ConfigureServices(services => services.AddSingleton<TimeProvider>(Time));
    }
}
