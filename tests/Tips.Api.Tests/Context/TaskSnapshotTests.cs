using System.Net;
using System.Net.Http.Json;
using Tips.Api.Features.Context;
using Tips.Api.Tests.Integrations;
using Tips.Contracts;
using Tips.TestSupport.FakeTodoist;

namespace Tips.Api.Tests.Context;

/// <summary>
/// The per-person snapshot: fresh within the TTL (no Todoist call), the last good one when Todoist fails, back-off
/// from <c>retry_not_before</c>, the deadline, and one person's trouble never holding up another.
/// </summary>
public sealed class TaskSnapshotTests : TodoistApiTest
{
    private const string Token = "snapshot-token-0123456789abcdef";
    private const int PagesPerFetch = 2; // the four reference tasks, two per page

    private async Task<FakeTodoistAccount> ConnectedAsync(string user = "ana", string token = Token)
    {
        var account = Todoist.Account(token);
        (await ConnectAsync(user, token)).EnsureSuccessStatusCode();
        return account;
    }

    private int TaskRequests(string token = Token) => Todoist.RequestsWith(token).Count(r => r.Path.EndsWith("/tasks", StringComparison.Ordinal));

    [Fact]
    public async Task A_fresh_snapshot_means_no_Todoist_call_until_the_TTL_has_passed()
    {
        await ConnectedAsync();

        var first = await AssembleAsync("ana");
        Api.Time.Advance(TimeSpan.FromSeconds(59));
        var second = await AssembleAsync("ana");
        var requestsWithinTtl = TaskRequests();
        Api.Time.Advance(TimeSpan.FromSeconds(2));
        var third = await AssembleAsync("ana");

        Assert.Equal([TasksOrigin.Fresh, TasksOrigin.Cached, TasksOrigin.Fresh], new[] { first.Origin, second.Origin, third.Origin });
        Assert.Equal(PagesPerFetch, requestsWithinTtl);
        Assert.Equal(2 * PagesPerFetch, TaskRequests());
        Assert.Equal(4, second.Tasks.Count);
    }

    [Fact]
    public async Task When_Todoist_fails_the_last_good_snapshot_is_used_and_the_person_backs_off()
    {
        var account = await ConnectedAsync();
        await AssembleAsync("ana");
        Api.Time.Advance(TimeSpan.FromMinutes(2));
        account.Behavior = FakeTodoistBehavior.ServerError;

        var failed = await AssembleAsync("ana");
        var requestsAfterFailure = TaskRequests();
        var duringBackoff = await AssembleAsync("ana");

        Assert.Equal(TasksOrigin.Stale, failed.Origin);
        Assert.Equal(4, failed.Tasks.Count);
        Assert.Equal(PagesPerFetch + 3, requestsAfterFailure); // the first try and two retries of page 1
        Assert.Equal(TasksOrigin.Stale, duringBackoff.Origin);
        Assert.Equal(requestsAfterFailure, TaskRequests());
        Assert.Equal((Api.Time.GetUtcNow() + TimeSpan.FromSeconds(30)).UtcDateTime,
            await ScalarAsync<DateTime>("SELECT retry_not_before FROM task_snapshots WHERE user_id = 'ana'"));
        Assert.Contains("500", await ScalarAsync<string>("SELECT last_error FROM task_snapshots WHERE user_id = 'ana'"));

        account.Behavior = FakeTodoistBehavior.Ok;
        Api.Time.Advance(TimeSpan.FromSeconds(31));
        var recovered = await AssembleAsync("ana");

        Assert.Equal(TasksOrigin.Fresh, recovered.Origin);
        Assert.Null(await ScalarAsync<string>("SELECT last_error FROM task_snapshots WHERE user_id = 'ana'"));
    }

    [Fact]
    public async Task Failing_before_any_good_fetch_gives_no_tasks()
    {
        var account = await ConnectedAsync();
        account.Behavior = FakeTodoistBehavior.ServerError;

        var context = await AssembleAsync("ana");

        Assert.Equal(TasksOrigin.Stale, context.Origin);
        Assert.Empty(context.Tasks);
    }

    [Fact]
    public async Task A_429_is_honoured_no_request_goes_out_before_its_Retry_After()
    {
        var account = await ConnectedAsync();
        await AssembleAsync("ana");
        Api.Time.Advance(TimeSpan.FromMinutes(2));
        account.Behavior = FakeTodoistBehavior.RateLimited;
        account.RetryAfterSeconds = 66;

        var limited = await AssembleAsync("ana");
        var requests = TaskRequests();
        Api.Time.Advance(TimeSpan.FromSeconds(65));
        var stillWaiting = await AssembleAsync("ana");

        Assert.Equal(TasksOrigin.Stale, limited.Origin);
        Assert.Equal(4, limited.Tasks.Count);
        Assert.Equal(PagesPerFetch + 1, requests); // the 429 itself was not retried
        Assert.Equal(TasksOrigin.Stale, stillWaiting.Origin);
        Assert.Equal(requests, TaskRequests());

        account.Behavior = FakeTodoistBehavior.Ok;
        Api.Time.Advance(TimeSpan.FromSeconds(2));

        Assert.Equal(TasksOrigin.Fresh, (await AssembleAsync("ana")).Origin);
    }

    [Fact]
    public async Task A_token_refused_while_fetching_keeps_the_last_snapshot_and_stops_asking()
    {
        var account = await ConnectedAsync();
        await AssembleAsync("ana");
        Api.Time.Advance(TimeSpan.FromMinutes(2));
        account.Behavior = FakeTodoistBehavior.Unauthorized;

        var refused = await AssembleAsync("ana");
        var requests = TaskRequests();
        Api.Time.Advance(TimeSpan.FromHours(1));
        var later = await AssembleAsync("ana");

        Assert.Equal(TasksOrigin.Stale, refused.Origin);
        Assert.Equal(4, refused.Tasks.Count);
        Assert.Equal(TasksOrigin.Stale, later.Origin);
        Assert.Equal(requests, TaskRequests());
        var status = await Api.ClientFor("ana").GetFromJsonAsync<IntegrationsResponse>("/integrations", TipsJson.Options);
        Assert.Equal(TokenStatus.Invalid, status!.Integrations[0].TokenStatus);
    }

    [Fact]
    public async Task A_slow_Todoist_is_abandoned_at_the_deadline_for_the_last_snapshot()
    {
        var account = await ConnectedAsync();
        await AssembleAsync("ana");
        Api.Time.Advance(TimeSpan.FromMinutes(2));
        account.Behavior = FakeTodoistBehavior.Slow;
        var before = TaskRequests();

        var assembling = AssembleAsync("ana");
        await Todoist.WaitForRequestAsync(_ => TaskRequests() > before);
        Assert.False(assembling.IsCompleted);
        var context = await assembling;

        Assert.Equal(TasksOrigin.Stale, context.Origin);
        Assert.Equal(4, context.Tasks.Count);
    }

    [Fact]
    public async Task One_persons_slow_Todoist_does_not_hold_up_another_person()
    {
        const string bobToken = "bob-token-0123456789abcdef";
        var ana = await ConnectedAsync("ana");
        await ConnectedAsync("bob", bobToken);
        ana.Behavior = FakeTodoistBehavior.Slow;

        var anasContext = AssembleAsync("ana");
        await Todoist.WaitForRequestAsync(r => r.BearerToken == Token && r.Path.EndsWith("/tasks", StringComparison.Ordinal));
        var bobsContext = await AssembleAsync("bob");

        Assert.Equal(TasksOrigin.Fresh, bobsContext.Origin);
        Assert.Equal(4, bobsContext.Tasks.Count);
        Assert.False(anasContext.IsCompleted); // Bob was served while Ana's Todoist still had not answered

        Assert.Equal(TasksOrigin.Stale, (await anasContext).Origin);
    }

    [Fact]
    public async Task A_GET_tips_waiting_on_Todoist_gives_its_serving_slot_to_others()
    {
        Api.With("RateLimits:TipsInFlight", "1")
            .With("RateLimits:TipsQueued", "0")
            .With("Todoist:AttemptTimeout", "00:00:20")
            .With("Todoist:RequestTimeout", "00:00:25")
            .With("Todoist:Deadline", "00:00:30");
        var ana = await ConnectedAsync("ana");
        ana.Behavior = FakeTodoistBehavior.Slow;

        var anasTips = Api.ClientFor("ana").GetAsync("/tips");
        await Todoist.WaitForRequestAsync(r => r.BearerToken == Token && r.Path.EndsWith("/tasks", StringComparison.Ordinal));
        var bosTips = await Api.ClientFor("bo").GetAsync("/tips");

        Assert.Equal(HttpStatusCode.OK, bosTips.StatusCode); // not 503: Ana's wait does not hold the only slot
        Assert.False(anasTips.IsCompleted);
        Todoist.ReleaseSlowRequests();
        Assert.Equal(HttpStatusCode.OK, (await anasTips).StatusCode);
    }

    [Fact]
    public async Task The_callers_cancellation_ends_the_wait_with_an_exception()
    {
        var account = await ConnectedAsync();
        account.Behavior = FakeTodoistBehavior.Slow;
        using var cancel = new CancellationTokenSource();

        var assembling = AssembleAsync("ana", cancel.Token);
        await Todoist.WaitForRequestAsync(r => r.BearerToken == Token && r.Path.EndsWith("/tasks", StringComparison.Ordinal));
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => assembling);
    }

    [Fact]
    public async Task A_token_that_cannot_be_decrypted_gives_the_last_snapshot_without_calling_Todoist()
    {
        await ConnectedAsync();
        await AssembleAsync("ana");
        Api.Time.Advance(TimeSpan.FromMinutes(2));
        await ExecuteAsync("UPDATE todoist_integrations SET token_ciphertext = 'CfDJ8-not-a-protected-payload' WHERE user_id = 'ana'");
        var requests = TaskRequests();

        var context = await AssembleAsync("ana");

        Assert.Equal(TasksOrigin.Stale, context.Origin);
        Assert.Equal(4, context.Tasks.Count);
        Assert.Equal(requests, TaskRequests());
    }
}
