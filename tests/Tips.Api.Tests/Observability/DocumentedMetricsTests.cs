using System.Net;
using System.Net.Http.Json;
using Npgsql;
using Tips.Api.Clients.Todoist;
using Tips.Api.Tests.Support;
using Tips.Contracts;
using Tips.TestSupport.FakeTodoist;
using Tips.TestSupport.Serving;
using Tips.TestSupport.Telemetry;

namespace Tips.Api.Tests.Observability;

/// <summary>
/// After ordinary use (a tip from the LLM and from a task, feedback, a Todoist token), the scrape holds every metric
/// docs/operations.md lists for the API, and nothing that names a person, a task, a token or a key.
/// </summary>
public sealed class DocumentedMetricsTests : MetricsTest
{
    private const string User = "person-7f3e-not-for-metrics";
    private const string Token = "todoist-token-9c1d-not-for-metrics";

    private FakeServing _serving = null!;
    private FakeTodoistServer _todoist = null!;
    private string _databasePassword = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _serving = await FakeServing.StartAsync();
        _todoist = await FakeTodoistServer.StartAsync();
        // With trust authentication the password is ignored; either way it must never reach a label.
        var connection = new NpgsqlConnectionStringBuilder(Api.ConnectionString);
        connection.Password ??= "db-password-5e2a-not-for-metrics";
        _databasePassword = connection.Password;
        Api.WithServing(_serving)
            .With("ConnectionStrings:Tips", connection.ConnectionString)
            .With(TodoistOptions.UrlVariable, _todoist.ApiUrl)
            .With("Todoist:RetryDelay", "00:00:00")
            .With("Metrics:TokenStatusRefresh", "00:00:00.100");
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await _serving.DisposeAsync();
        await _todoist.DisposeAsync();
    }

    private async Task<MetricsScrape> UseEverythingAsync()
    {
        _todoist.Account(Token);
        var connected = await Api.ClientFor(User).PutAsJsonAsync("/integrations/todoist", new { token = Token });
        Assert.Equal(HttpStatusCode.Created, connected.StatusCode);
        var tips = (await (await GetTipsAsync(User, "?limit=3")).Content.ReadFromJsonAsync<TipsResponse>(TipsJson.Options))!.Tips;
        var feedback = await Api.ClientFor(User).PostAsJsonAsync($"/tips/{tips[0].Id}/feedback", new { action = "done", dwell_ms = 40_000 });
        Assert.Equal(HttpStatusCode.OK, feedback.StatusCode);

        MetricsScrape scrape = null!;
        await Eventually.TrueAsync(async () => (scrape = await ScrapeAsync()).Families.Contains("tips_todoist_tokens"),
            "the token gauge has counted once");
        return scrape;
    }

    [Fact]
    public async Task Every_metric_the_operations_guide_lists_for_the_api_is_exposed()
    {
        var scrape = await UseEverythingAsync();

        var documented = OperationsGuide.Metrics().Where(m => m.Service is "api" or "both").Select(m => m.Name).ToList();
        Assert.Contains("tips_recommender_served_total", documented);
        Assert.All(documented, name => Assert.True(scrape.Families.Contains(name), $"{name} is documented but not exposed"));
        Assert.All(scrape.Families.Where(f => f.StartsWith("tips_", StringComparison.Ordinal)),
            name => Assert.True(documented.Contains(name), $"{name} is exposed but not documented in docs/operations.md"));
    }

    [Fact]
    public async Task The_scrape_names_no_person_task_token_or_key()
    {
        var scrape = await UseEverythingAsync();

        Assert.True(scrape.Sum("tips_todoist_requests_total", "tips_todoist_operation=get_tasks", "tips_todoist_result=ok") >= 1,
            "the person's tasks were read, so their ids and contents were at hand");
        string[] secrets =
        [
            User, Token, _databasePassword, TestTokens.SigningKey, TipsApiFactory.ServingKey,
            .. FakeTodoistData.ReferenceTasks().Select(t => (string)t["content"]!),
            .. FakeTodoistData.ReferenceTasks().Select(t => (string)t["id"]!),
        ];
        Assert.All(secrets, secret => Assert.DoesNotContain(secret, scrape.Text, StringComparison.Ordinal));
    }
}
