using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Tips.Api.Clients.Todoist;
using Tips.TestSupport.FakeTodoist;

namespace Tips.Api.Tests.Todoist;

/// <summary>
/// The real Todoist client registration (Refit + resilience handler) in a bare service provider, pointed at a fake
/// Todoist, with short timeouts so that failure paths finish quickly. The clock is the real one: these tests are
/// about the HTTP behaviour, not about the snapshot's time logic.
/// </summary>
internal sealed class TodoistClientHost : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    private TodoistClientHost(FakeTodoistServer todoist, ServiceProvider services)
    {
        Todoist = todoist;
        _services = services;
    }

    public FakeTodoistServer Todoist { get; }

    public TodoistClient Client => _services.GetRequiredService<TodoistClient>();

    public FakeLogCollector Logs => _services.GetFakeLogCollector();

    public static readonly Dictionary<string, string?> FastSettings = new()
    {
        // Roomy enough for a first request to a cold server on a busy machine; only the slow-answer test waits them out.
        ["Todoist:AttemptTimeout"] = "00:00:01",
        ["Todoist:RequestTimeout"] = "00:00:02.500",
        ["Todoist:Deadline"] = "00:00:03",
        ["Todoist:RetryDelay"] = "00:00:00.010",
        ["Todoist:MaxRetries"] = "2",
    };

    public static async Task<TodoistClientHost> StartAsync(IReadOnlyDictionary<string, string?>? settings = null, string? apiUrl = null)
    {
        var todoist = await FakeTodoistServer.StartAsync();
        return new TodoistClientHost(todoist, BuildServices(apiUrl ?? todoist.ApiUrl, settings));
    }

    public static ServiceProvider BuildServices(string? apiUrl, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var values = new Dictionary<string, string?>(FastSettings) { [TodoistOptions.UrlVariable] = apiUrl };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }

        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(values).Build());
        services.AddLogging(l => l.SetMinimumLevel(LogLevel.Trace).AddFakeLogging());
        services.AddTodoistClient();
        return services.BuildServiceProvider();
    }

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        await Todoist.DisposeAsync();
    }
}
