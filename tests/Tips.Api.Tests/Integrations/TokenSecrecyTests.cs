using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Tips.Api.Features.Context;
using Tips.Api.Tests.Support;
using Tips.Contracts;
using Tips.TestSupport.FakeTodoist;

namespace Tips.Api.Tests.Integrations;

public sealed class TokenSecrecyTests : TodoistApiTest
{
    private const string Token = "SECRET-0f1e2d3c4b5a69788796a5b4c3d2e1f0";
    private const string RefusedToken = "SECRET-refused-aa11bb22cc33dd44ee55";

    protected override void Configure(TipsApiFactory api)
    {
        // Every category at Trace, the HTTP client's own request logging included.
        foreach (var category in new[] { "Default", "Microsoft.AspNetCore", "Microsoft.EntityFrameworkCore", "System.Net.Http.HttpClient", "Polly" })
        {
            api.With($"Logging:LogLevel:{category}", "Trace");
        }
    }

    [Fact]
    public async Task The_token_appears_in_no_log_response_or_stored_value_through_a_whole_cycle()
    {
        var account = Todoist.Account(Token);
        Todoist.Account(RefusedToken).Behavior = FakeTodoistBehavior.Unauthorized;
        await using var api = Api.WithWebHostBuilder(b => b.ConfigureLogging(l => l.AddFakeLogging()));
        var client = api.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TestTokens.For("ana"));
        var bodies = new List<string>();
        async Task Send(Func<Task<HttpResponseMessage>> call) => bodies.Add(await (await call()).Content.ReadAsStringAsync());
        async Task Assemble()
        {
            using var scope = api.Services.CreateScope();
            await scope.ServiceProvider.GetRequiredService<IContextAssembler>().AssembleAsync("ana", CancellationToken.None);
        }

        await Send(() => client.PutAsJsonAsync("/integrations/todoist", new { token = Token }));           // valid: /user echoes it
        await Send(() => client.GetAsync("/integrations"));
        await Assemble();                                                                                  // fetch pages
        Api.Time.Advance(TimeSpan.FromMinutes(2));
        account.Behavior = FakeTodoistBehavior.RateLimited;
        await Assemble();                                                                                  // 429 body
        Api.Time.Advance(TimeSpan.FromMinutes(5));
        account.Behavior = FakeTodoistBehavior.ServerError;
        await Assemble();                                                                                  // 500s and retries
        Api.Time.Advance(TimeSpan.FromMinutes(5));
        account.Behavior = FakeTodoistBehavior.Unauthorized;
        await Assemble();                                                                                  // 401 while fetching
        await Send(() => client.PutAsJsonAsync("/integrations/todoist", new { token = RefusedToken }));    // 422
        await Send(() => client.PutAsJsonAsync("/integrations/todoist", new { token = Token + " x" }));    // 400
        await Send(() => client.GetAsync("/integrations"));

        var logs = api.Services.GetFakeLogCollector().GetSnapshot();
        Assert.Contains(logs, r => r.Level == LogLevel.Trace); // everything was captured, down to Trace
        Assert.Contains(logs, r => r.Message.Contains("stored with status valid", StringComparison.Ordinal));
        Assert.Contains(logs, r => r.Message.Contains("(RateLimited)", StringComparison.Ordinal));
        foreach (var secret in new[] { Token, RefusedToken, "SECRET-" })
        {
            Assert.All(logs, r => Assert.DoesNotContain(secret, LogText.Everything(r)));
            Assert.All(bodies, b => Assert.DoesNotContain(secret, b));
        }
        Assert.Equal(0L, await ScalarAsync<long>(
            "SELECT count(*) FROM (SELECT token_ciphertext AS v FROM todoist_integrations UNION ALL SELECT last_error FROM task_snapshots " +
            "UNION ALL SELECT tasks::text FROM task_snapshots) s WHERE v LIKE '%SECRET-%'"));
    }
}

/// <summary>Another process over the same database: the Data Protection keys are in Postgres, so it decrypts the token.</summary>
public sealed class SecondReplicaTests : TodoistApiTest
{
    [Fact]
    public async Task Another_instance_on_the_same_database_reads_the_stored_token()
    {
        Todoist.Account("replica-token-0123456789abcdef");
        (await ConnectAsync("ana", "replica-token-0123456789abcdef")).EnsureSuccessStatusCode();

        await using var replica = new TipsApiFactory(Api.ConnectionString)
            .With(Tips.Api.Clients.Todoist.TodoistOptions.UrlVariable, Todoist.ApiUrl);
        using var scope = replica.Services.CreateScope();
        var context = await scope.ServiceProvider.GetRequiredService<IContextAssembler>().AssembleAsync("ana", CancellationToken.None);

        Assert.Equal(TasksOrigin.Fresh, context.Origin);
        Assert.Equal(4, context.Tasks.Count);
        Assert.All(Todoist.RequestsWith("replica-token-0123456789abcdef"), r => Assert.Equal("Bearer replica-token-0123456789abcdef", r.Authorization));
    }
}

/// <summary><c>token_status</c> as <c>GET /integrations</c> shows it while Todoist's answers change.</summary>
public sealed class TokenStatusTransitionsTests : TodoistApiTest
{
    [Fact]
    public async Task Missing_valid_unknown_valid_invalid_valid_missing()
    {
        const string first = "transition-token-one-0123456789";
        const string second = "transition-token-two-0123456789";
        var account = Todoist.Account(first);
        Todoist.Account(second);
        var client = Api.ClientFor("ana");
        async Task<(TokenStatus, DateTimeOffset?)> Status()
        {
            var status = (await client.GetFromJsonAsync<IntegrationsResponse>("/integrations", TipsJson.Options))!.Integrations.Single();
            return (status.TokenStatus, status.CheckedAt);
        }
        var seen = new List<(TokenStatus, DateTimeOffset?)> { await Status() };

        await ConnectAsync("ana", first);
        var connectedAt = Api.Time.GetUtcNow();
        seen.Add(await Status());

        Api.Time.Advance(TimeSpan.FromMinutes(2));
        account.Behavior = FakeTodoistBehavior.ServerError;
        await AssembleAsync("ana");
        seen.Add(await Status());

        Api.Time.Advance(TimeSpan.FromMinutes(2));
        account.Behavior = FakeTodoistBehavior.Ok;
        await AssembleAsync("ana");
        var recheckedAt = Api.Time.GetUtcNow();
        seen.Add(await Status());

        Api.Time.Advance(TimeSpan.FromMinutes(2));
        account.Behavior = FakeTodoistBehavior.Forbidden;
        await AssembleAsync("ana");
        var refusedAt = Api.Time.GetUtcNow();
        seen.Add(await Status());

        await ConnectAsync("ana", second);
        seen.Add(await Status());

        await client.DeleteAsync("/integrations/todoist");
        seen.Add(await Status());

        Assert.Equal(
            [
                (TokenStatus.Missing, null),
                (TokenStatus.Valid, connectedAt),
                (TokenStatus.Unknown, connectedAt), // no answer: the last answer's time stays
                (TokenStatus.Valid, recheckedAt),
                (TokenStatus.Invalid, refusedAt),
                (TokenStatus.Valid, refusedAt),
                (TokenStatus.Missing, null),
            ],
            seen);
    }
}
