using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Tips.Api.Clients.Todoist;
using Tips.Api.Features.Context;
using Tips.Api.Tests.Support;
using Tips.TestSupport.FakeTodoist;

namespace Tips.Api.Tests.Integrations;

/// <summary>The real API on a fresh database, with <c>TODOIST_API_URL</c> pointing at a fake Todoist of its own.</summary>
public abstract class TodoistApiTest : ApiTest
{
    protected FakeTodoistServer Todoist { get; private set; } = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Todoist = await FakeTodoistServer.StartAsync();
        Api.With(TodoistOptions.UrlVariable, Todoist.ApiUrl)
            // Timers are real (the test clock only sets "now"): waits short enough for slow-Todoist tests, long
            // enough for a cold server's first answer on a busy machine.
            .With("Todoist:RetryDelay", "00:00:00")
            .With("Todoist:AttemptTimeout", "00:00:01.500")
            .With("Todoist:RequestTimeout", "00:00:02")
            .With("Todoist:Deadline", "00:00:02.500");
        Configure(Api);
    }

    /// <summary>Override to change settings before the API starts.</summary>
    protected virtual void Configure(TipsApiFactory api)
    {
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await Todoist.DisposeAsync();
    }

    protected Task<HttpResponseMessage> ConnectAsync(string user, string token) =>
        Api.ClientFor(user).PutAsJsonAsync("/integrations/todoist", new { token });

    private protected async Task<AssembledContext> AssembleAsync(string user, CancellationToken cancellationToken = default)
    {
        using var scope = Api.Services.CreateScope();
        return await scope.ServiceProvider.GetRequiredService<IContextAssembler>().AssembleAsync(user, cancellationToken);
    }

    /// <summary>One value from the test's database.</summary>
    protected async Task<T?> ScalarAsync<T>(string sql, params object[] parameters)
    {
        await using var connection = new NpgsqlConnection(Api.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var p in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = p });
        }
        var value = await command.ExecuteScalarAsync();
        return value is null or DBNull ? default : (T)value;
    }

    protected async Task ExecuteAsync(string sql, params object[] parameters)
    {
        await using var connection = new NpgsqlConnection(Api.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var p in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = p });
        }
        await command.ExecuteNonQueryAsync();
    }
}
