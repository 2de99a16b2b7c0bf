using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Tips.Migrations;
using Tips.TestSupport;
using Tips.TestSupport.FakeGateway;
using Tips.TestSupport.FakeTodoist;

namespace Tips.Doctor.Tests.Support;

/// <summary>
/// Everything the doctor looks at, healthy unless a test breaks it: a migrated database on the test Postgres, the
/// fake LiteLLM gateway, the fake Todoist, and both services' readiness endpoints, each on a loopback port. The
/// doctor's settings are its documented environment variables (<see cref="Variables"/>).
/// </summary>
public sealed class DoctorWorld : IAsyncDisposable
{
    private static readonly Lazy<Task<string>> MigratedDatabase = new(async () =>
    {
        var server = await PostgresServer.SharedAsync();
        return await server.CreateDatabaseAsync("doctor", cs => Migrator.MigrateAsync(cs, null, TimeSpan.FromSeconds(30)));
    });

    private DoctorWorld(FakeLlmGateway gateway, FakeTodoistServer todoist, FakeReadiness serving, FakeReadiness api, string database)
    {
        Gateway = gateway;
        Todoist = todoist;
        Serving = serving;
        Api = api;
        Variables = new Dictionary<string, string?>
        {
            ["ConnectionStrings__Tips"] = database,
            ["LITELLM_URL"] = gateway.Url.ToString(),
            ["LITELLM_MASTER_KEY"] = gateway.MasterKey,
            ["TODOIST_API_URL"] = todoist.ApiUrl,
            ["SERVING_URL"] = serving.Url.ToString(),
            ["TIPS_API_URL"] = api.Url.ToString(),
            // Generous: these bound hangs only, and nothing here hangs unless a test makes it.
            ["Doctor__Timeout"] = "00:00:15",
            ["Doctor__CompletionTimeout"] = "00:00:30",
        };
    }

    public FakeLlmGateway Gateway { get; }

    public FakeTodoistServer Todoist { get; }

    public FakeReadiness Serving { get; }

    public FakeReadiness Api { get; }

    /// <summary>The doctor's environment variables; tests change them to break one thing.</summary>
    public Dictionary<string, string?> Variables { get; }

    public static async Task<DoctorWorld> StartAsync(string? masterKey = FakeLlmGateway.DefaultMasterKey)
    {
        var database = await MigratedDatabase.Value;
        return new DoctorWorld(
            await FakeLlmGateway.StartAsync(masterKey),
            await FakeTodoistServer.StartAsync(),
            await FakeReadiness.StartAsync(),
            await FakeReadiness.StartAsync(),
            database);
    }

    /// <summary>Runs the doctor in this process with <see cref="Variables"/>, as <c>tips doctor --json</c> would.</summary>
    public async Task<DoctorOutcome> RunAsync()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(Variables.Select(e => KeyValuePair.Create(e.Key.Replace("__", ":", StringComparison.Ordinal), e.Value)))
            .Build();
        var output = new StringWriter(new StringBuilder(), System.Globalization.CultureInfo.InvariantCulture);
        var exit = await Doctor.RunAsync(configuration, json: true, output, TimeProvider.System, CancellationToken.None);
        return DoctorOutcome.Parse(exit, output.ToString());
    }

    /// <summary>Runs the doctor for people (text), with <see cref="Variables"/>.</summary>
    public async Task<(int Exit, string Text)> RunTextAsync()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(Variables.Select(e => KeyValuePair.Create(e.Key.Replace("__", ":", StringComparison.Ordinal), e.Value)))
            .Build();
        var output = new StringWriter(new StringBuilder(), System.Globalization.CultureInfo.InvariantCulture);
        var exit = await Doctor.RunAsync(configuration, json: false, output, TimeProvider.System, CancellationToken.None);
        return (exit, output.ToString());
    }

    public async ValueTask DisposeAsync()
    {
        await Gateway.DisposeAsync();
        await Todoist.DisposeAsync();
        await Serving.DisposeAsync();
        await Api.DisposeAsync();
    }
}

/// <summary>The doctor's exit code and its <c>--json</c> report.</summary>
public sealed record DoctorOutcome(int Exit, string Output, JsonElement Report)
{
    public static DoctorOutcome Parse(int exit, string output)
    {
        using var document = JsonDocument.Parse(output);
        return new DoctorOutcome(exit, output, document.RootElement.Clone());
    }

    public IReadOnlyList<Finding> Checks => [.. Report.GetProperty("checks").EnumerateArray().Select(Finding.From)];

    public Finding this[string id] => Checks.SingleOrDefault(c => c.Id == id) ?? throw new Xunit.Sdk.XunitException($"No check {id} in:\n{Output}");

    /// <summary>Every check but <paramref name="except"/> passed.</summary>
    public void AssertOthersPass(params string[] except)
    {
        var others = Checks.Where(c => !except.Contains(c.Id)).ToList();
        Assert.True(others.All(c => c.Status == "pass"), "Expected every other check to pass:\n" + Output);
    }
}

/// <summary>One check of the report.</summary>
public sealed record Finding(string Id, string Status, string Summary, string? Fix, double? LatencyMs, IReadOnlyDictionary<string, string> Details)
{
    public static Finding From(JsonElement check) => new(
        check.GetProperty("id").GetString()!,
        check.GetProperty("status").GetString()!,
        check.GetProperty("summary").GetString()!,
        check.TryGetProperty("fix", out var fix) ? fix.GetString() : null,
        check.TryGetProperty("latency_ms", out var latency) ? latency.GetDouble() : null,
        check.TryGetProperty("details", out var details)
            ? details.EnumerateObject().ToDictionary(d => d.Name, d => d.Value.GetString()!)
            : new Dictionary<string, string>());
}
