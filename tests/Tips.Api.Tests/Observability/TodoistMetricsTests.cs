using System.Net;
using System.Net.Http.Json;
using Tips.Api.Clients.Todoist;
using Tips.TestSupport.FakeTodoist;

namespace Tips.Api.Tests.Observability;

/// <summary>Todoist calls count by operation and result; stored tokens are counted by status.</summary>
public sealed class TodoistMetricsTests : MetricsTest
{
    private FakeTodoistServer _todoist = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _todoist = await FakeTodoistServer.StartAsync();
        Api.With(TodoistOptions.UrlVariable, _todoist.ApiUrl)
            .With("Todoist:RetryDelay", "00:00:00")
            .With("Todoist:AttemptTimeout", "00:00:01.500")
            .With("Todoist:RequestTimeout", "00:00:02")
            .With("Todoist:Deadline", "00:00:02.500")
            .With("Metrics:TokenStatusRefresh", "00:00:00.100");
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await _todoist.DisposeAsync();
    }

    private async Task<HttpStatusCode> ConnectAsync(string user, string token) =>
        (await Api.ClientFor(user).PutAsJsonAsync("/integrations/todoist", new { token })).StatusCode;

    [Fact]
    public async Task Token_checks_count_by_result_and_stored_tokens_by_status()
    {
        _todoist.Account("tok-valid-0001");
        _todoist.Account("tok-refused-0002").Behavior = FakeTodoistBehavior.Unauthorized;
        _todoist.Account("tok-limited-0003").Behavior = FakeTodoistBehavior.RateLimited;
        _todoist.Account("tok-broken-0004").Behavior = FakeTodoistBehavior.ServerError;
        var before = await ScrapeAsync();

        Assert.Equal(HttpStatusCode.Created, await ConnectAsync("ana", "tok-valid-0001"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, await ConnectAsync("bo", "tok-refused-0002"));
        Assert.Equal(HttpStatusCode.Created, await ConnectAsync("cy", "tok-limited-0003"));
        Assert.Equal(HttpStatusCode.Created, await ConnectAsync("di", "tok-broken-0004"));
        var after = await ScrapeAsync();

        AssertMoved(1, before, after, "tips_todoist_requests_total", "tips_todoist_operation=get_user", "tips_todoist_result=ok");
        AssertMoved(1, before, after, "tips_todoist_requests_total", "tips_todoist_operation=get_user", "tips_todoist_result=invalid_token");
        AssertMoved(1, before, after, "tips_todoist_requests_total", "tips_todoist_operation=get_user", "tips_todoist_result=rate_limited");
        // One call, whatever the HTTP retries below it did.
        AssertMoved(1, before, after, "tips_todoist_requests_total", "tips_todoist_operation=get_user", "tips_todoist_result=unavailable");

        // The refused token was never stored; 429 and 500 leave the stored ones unknown.
        await Support.Eventually.TrueAsync(async () =>
        {
            var now = await ScrapeAsync();
            return now.Sum("tips_todoist_tokens", "tips_todoist_token_status=valid") == 1
                && now.Sum("tips_todoist_tokens", "tips_todoist_token_status=unknown") == 2
                && now.Sum("tips_todoist_tokens", "tips_todoist_token_status=invalid") == 0;
        }, "the gauge counts the stored tokens by status");
    }

    [Fact]
    public async Task Task_fetches_count_per_page_and_contexts_by_where_the_tasks_came_from()
    {
        var account = _todoist.Account("tok-valid-0001");
        account.PageSize = 2; // the four reference tasks come in two pages
        Assert.Equal(HttpStatusCode.Created, await ConnectAsync("ana", "tok-valid-0001"));
        var before = await ScrapeAsync();

        await GetTipsAsync("ana");   // fetched from Todoist
        await GetTipsAsync("ana");   // the snapshot is young: no call
        Api.Time.Advance(TimeSpan.FromMinutes(2));
        account.Behavior = FakeTodoistBehavior.Unauthorized;
        await GetTipsAsync("ana");   // Todoist refuses the stored token: the last good tasks are used
        var after = await ScrapeAsync();

        AssertMoved(2, before, after, "tips_todoist_requests_total", "tips_todoist_operation=get_tasks", "tips_todoist_result=ok");
        AssertMoved(1, before, after, "tips_todoist_requests_total", "tips_todoist_operation=get_tasks", "tips_todoist_result=invalid_token");
        AssertMoved(1, before, after, "tips_context_assemblies_total", "tips_tasks_origin=fresh");
        AssertMoved(1, before, after, "tips_context_assemblies_total", "tips_tasks_origin=cached");
        AssertMoved(1, before, after, "tips_context_assemblies_total", "tips_tasks_origin=stale");
        Assert.True(after.Sum("tips_recommender_served_total", "tips_tip_source=task_direct") >= 1, after.Describe("tips_recommender_served_total"));

        await Support.Eventually.TrueAsync(
            async () => (await ScrapeAsync()).Sum("tips_todoist_tokens", "tips_todoist_token_status=invalid") == 1,
            "the refused token now counts as invalid");
    }
}
