using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Tips.Api.Clients.Todoist;
using Tips.Api.Features.Context;
using Tips.Api.Tests.Support;
using Tips.TestSupport.FakeTodoist;

namespace Tips.Api.Tests.Integrations;

/// <summary>The real API on a fresh database, with <c>TODOIST_API_URL</c> pointing at a fake Todoist of its own.</summary>
public abstract class TodoistApiTest : IAsyncLifetime
{
    protected FakeTodoistServer Todoist { get; private set; } = null!;

    protected TipsApiFactory Api { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Todoist = await FakeTodoistServer.StartAsync();
        Api = new TipsApiFactory(await TestDatabase.CreateAsync())
            .With(TodoistOptions.UrlVariable, Todoist.ApiUrl)
            // The API's clock is a FakeTimeProvider, and the resilience handler waits on that clock too: a retry
            // back-off would wait for a test to move time. Retry at once instead.
            .With("Todoist:RetryDelay", "00:00:00");
        Configure(Api);
    }

    /// <summary>Override to change settings before the API starts.</summary>
    protected virtual void Configure(TipsApiFactory api)
    {
    }

    public async Task DisposeAsync()
    {
        await Api.DisposeAsync();
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
