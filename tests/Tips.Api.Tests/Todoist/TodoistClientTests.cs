using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Tips.Api.Clients.Todoist;
using Tips.TestSupport.FakeTodoist;

namespace Tips.Api.Tests.Todoist;

public sealed class TodoistClientTests : IAsyncLifetime
{
    private TodoistClientHost _host = null!;

    public async Task InitializeAsync() => _host = await TodoistClientHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private FakeTodoistServer Todoist => _host.Todoist;

    [Fact]
    public async Task Reads_every_page_following_the_cursor_with_the_bearer_token_and_limit_200()
    {
        Todoist.Account("tok-pages-0001");

        var outcome = await _host.Client.GetActiveTasksAsync("tok-pages-0001", CancellationToken.None);

        Assert.True(outcome.Succeeded, outcome.Failure?.Reason);
        Assert.Equal(["6XGgmFVcrG5RRjVr", "6XGgmFQrx44wfGHv", "6XGgmJ2pvRCjWv8h", "6XGgmMm3W7q9cPrr"], outcome.Value.Select(t => t.Id));
        var requests = Todoist.RequestsWith("tok-pages-0001");
        Assert.Equal(2, requests.Count);
        Assert.All(requests, r =>
        {
            Assert.Equal("/api/v1/tasks", r.Path);
            Assert.Equal("Bearer tok-pages-0001", r.Authorization);
            Assert.Equal("200", r.Query["limit"]);
        });
        Assert.False(requests[0].Query.ContainsKey("cursor"));
        Assert.False(string.IsNullOrEmpty(requests[1].Query["cursor"]));
    }

    [Fact]
    public async Task Reads_every_field_form_of_the_reference_tasks()
    {
        Todoist.Account("tok-fields-01");

        var tasks = (await _host.Client.GetActiveTasksAsync("tok-fields-01", CancellationToken.None)).Value!.ToDictionary(t => t.Id!);

        var report = tasks["6XGgmFVcrG5RRjVr"];
        Assert.Equal("Send Q1 report", report.Content);
        Assert.Equal(4, report.Priority);
        Assert.Equal("2026-03-02T09:00:00", report.Due!.Date);
        Assert.True(report.Due.IsRecurring);
        Assert.Equal(["work"], report.Labels!);
        Assert.Equal("2026-03-06", report.Deadline!.Date);
        Assert.Equal(30, report.Duration!.Amount);
        Assert.Equal(new DateTimeOffset(2026, 2, 20, 10, 30, 0, 123, 456, TimeSpan.Zero), report.AddedAt);

        var passport = tasks["6XGgmFQrx44wfGHv"];
        Assert.Equal("2026-02-28", passport.Due!.Date);
        Assert.Null(passport.Deadline);
        Assert.Null(passport.Duration);
        Assert.Equal(new DateTimeOffset(2026, 1, 11, 17, 2, 41, TimeSpan.Zero), passport.AddedAt);

        var dentist = tasks["6XGgmJ2pvRCjWv8h"];
        Assert.Equal("2026-03-03T14:30:00Z", dentist.Due!.Date);
        Assert.Equal("Europe/Madrid", dentist.Due.Timezone);

        Assert.Null(tasks["6XGgmMm3W7q9cPrr"].Due);
    }

    [Fact]
    public async Task Tasks_repeated_across_pages_are_kept_once()
    {
        var account = Todoist.Account("tok-dupes-001");
        account.DuplicateAcrossPages = true;
        account.PageSize = 2;

        var outcome = await _host.Client.GetActiveTasksAsync("tok-dupes-001", CancellationToken.None);

        // 4 tasks in pages of 2 that overlap by one: [0,1] [1,2] [2,3] [3], so 3 of the 7 served tasks are repeats.
        Assert.Equal(4, Todoist.RequestsWith("tok-dupes-001").Count);
        Assert.Equal(["6XGgmFVcrG5RRjVr", "6XGgmFQrx44wfGHv", "6XGgmJ2pvRCjWv8h", "6XGgmMm3W7q9cPrr"], outcome.Value!.Select(t => t.Id));
    }

    [Theory]
    [InlineData(FakeTodoistBehavior.Unauthorized)]
    [InlineData(FakeTodoistBehavior.Forbidden)]
    public async Task A_refused_token_is_invalid_and_not_retried(FakeTodoistBehavior behavior)
    {
        Todoist.Account("tok-refused-1").Behavior = behavior;

        var tasks = await _host.Client.GetActiveTasksAsync("tok-refused-1", CancellationToken.None);
        var user = await _host.Client.GetAccountAsync("tok-refused-1", CancellationToken.None);

        Assert.Equal(TodoistFailureKind.InvalidToken, tasks.Failure?.Kind);
        Assert.Equal(TodoistFailureKind.InvalidToken, user.Failure?.Kind);
        Assert.Equal(2, Todoist.RequestsWith("tok-refused-1").Count);
    }

    [Fact]
    public async Task A_429_is_rate_limited_with_its_Retry_After_and_not_retried()
    {
        var account = Todoist.Account("tok-limited-1");
        account.Behavior = FakeTodoistBehavior.RateLimited;
        account.RetryAfterSeconds = 66;

        var outcome = await _host.Client.GetActiveTasksAsync("tok-limited-1", CancellationToken.None);

        Assert.Equal(TodoistFailureKind.RateLimited, outcome.Failure?.Kind);
        Assert.Equal(TimeSpan.FromSeconds(66), outcome.Failure!.RetryAfter);
        Assert.Single(Todoist.RequestsWith("tok-limited-1"));
    }

    [Fact]
    public async Task A_429_without_the_header_takes_the_wait_from_the_error_body()
    {
        var account = Todoist.Account("tok-limited-2");
        account.Behavior = FakeTodoistBehavior.RateLimited;
        account.SendRetryAfterHeader = false;
        account.RetryAfterSeconds = 120;

        var outcome = await _host.Client.GetActiveTasksAsync("tok-limited-2", CancellationToken.None);

        Assert.Equal(TimeSpan.FromSeconds(120), outcome.Failure?.RetryAfter);
    }

    [Fact]
    public async Task A_500_is_retried_a_bounded_number_of_times_then_reported_unavailable()
    {
        Todoist.Account("tok-broken-01").Behavior = FakeTodoistBehavior.ServerError;

        var outcome = await _host.Client.GetActiveTasksAsync("tok-broken-01", CancellationToken.None);

        Assert.Equal(TodoistFailureKind.Unavailable, outcome.Failure?.Kind);
        Assert.Contains("500", outcome.Failure!.Reason);
        Assert.Equal(3, Todoist.RequestsWith("tok-broken-01").Count); // the first try and MaxRetries = 2
    }

    [Fact]
    public async Task A_passing_500_is_retried_and_the_tasks_still_arrive()
    {
        Todoist.Account("tok-flaky-001").ServerErrorsFirst = 1;

        var outcome = await _host.Client.GetActiveTasksAsync("tok-flaky-001", CancellationToken.None);

        Assert.True(outcome.Succeeded, outcome.Failure?.Reason);
        Assert.Equal(4, outcome.Value.Count);
        Assert.Equal(3, Todoist.RequestsWith("tok-flaky-001").Count); // 500, page 1, page 2
    }

    [Fact]
    public async Task A_slow_answer_times_out_as_unavailable_after_bounded_attempts()
    {
        Todoist.Account("tok-slow-0001").Behavior = FakeTodoistBehavior.Slow;

        var outcome = await _host.Client.GetActiveTasksAsync("tok-slow-0001", CancellationToken.None);

        Assert.Equal(TodoistFailureKind.Unavailable, outcome.Failure?.Kind);
        Assert.Contains("did not answer", outcome.Failure!.Reason);
        Assert.InRange(Todoist.RequestsWith("tok-slow-0001").Count, 1, 3);
    }

    [Fact]
    public async Task An_unreachable_Todoist_is_unavailable()
    {
        var closedPort = $"http://127.0.0.1:{ClosedPort()}/api/v1";
        await using var services = TodoistClientHost.BuildServices(closedPort);

        var outcome = await services.GetRequiredService<TodoistClient>().GetActiveTasksAsync("tok-nowhere1", CancellationToken.None);

        Assert.Equal(TodoistFailureKind.Unavailable, outcome.Failure?.Kind);
        Assert.Contains("could not be reached", outcome.Failure!.Reason);
    }

    [Fact]
    public async Task The_user_call_gives_the_timezone()
    {
        Todoist.Account("tok-user-0001").Timezone = "America/Los_Angeles";

        var outcome = await _host.Client.GetAccountAsync("tok-user-0001", CancellationToken.None);

        Assert.Equal("America/Los_Angeles", outcome.Value?.Timezone);
        var request = Assert.Single(Todoist.RequestsWith("tok-user-0001"));
        Assert.Equal("/api/v1/user", request.Path);
    }

    [Fact]
    public async Task Paging_stops_at_the_page_cap()
    {
        await using var capped = TodoistClientHost.BuildServices(Todoist.ApiUrl, new Dictionary<string, string?> { ["Todoist:MaxPages"] = "3" });
        var account = Todoist.Account("tok-many-0001");
        account.PageSize = 1;
        account.Tasks.Clear();
        account.Tasks.AddRange(Enumerable.Range(1, 10).Select(i => FakeTodoistData.Task($"t{i:00}", $"Task {i}")));

        var outcome = await capped.GetRequiredService<TodoistClient>().GetActiveTasksAsync("tok-many-0001", CancellationToken.None);

        Assert.Equal(["t01", "t02", "t03"], outcome.Value!.Select(t => t.Id));
        Assert.Equal(3, Todoist.RequestsWith("tok-many-0001").Count);
    }

    [Fact]
    public async Task Unexpected_field_forms_are_read_tolerantly()
    {
        var account = Todoist.Account("tok-odd-00001");
        account.Tasks.Clear();
        var odd = FakeTodoistData.Task("x", "Odd task", due: "2026-03-04");
        odd["id"] = 12345;
        odd["priority"] = "3";
        odd["labels"] = null;
        odd["added_at"] = "not a date";
        odd["a_field_from_the_future"] = new System.Text.Json.Nodes.JsonObject { ["nested"] = true };
        account.Tasks.Add(odd);
        var done = FakeTodoistData.Task("y", "Already done");
        done["checked"] = true;
        account.Tasks.Add(done);

        var task = Assert.Single((await _host.Client.GetActiveTasksAsync("tok-odd-00001", CancellationToken.None)).Value!);

        Assert.Equal("12345", task.Id);
        Assert.Equal(3, task.Priority);
        Assert.Null(task.Labels);
        Assert.Null(task.AddedAt);
        Assert.Equal("2026-03-04", task.Due!.Date);
    }

    [Fact]
    public void A_page_with_nulls_everywhere_still_reads()
    {
        var page = JsonSerializer.Deserialize<TodoistPage<TodoistTask>>(
            """{"results":[{"id":"a","content":null,"priority":null,"due":{"date":null,"is_recurring":null},"checked":null}],"next_cursor":null,"extra":1}""",
            TodoistJson.Options)!;

        var task = Assert.Single(page.Results!);
        Assert.Equal("a", task.Id);
        Assert.Null(task.Priority);
        Assert.Null(task.Due!.Date);
        Assert.Null(page.NextCursor);
    }

    [Fact]
    public async Task The_callers_cancellation_is_not_swallowed()
    {
        Todoist.Account("tok-cancel-01").Behavior = FakeTodoistBehavior.Slow;
        using var cancel = new CancellationTokenSource();
        var call = _host.Client.GetActiveTasksAsync("tok-cancel-01", cancel.Token);
        await Todoist.WaitForRequestAsync(r => r.BearerToken == "tok-cancel-01");

        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
    }

    [Theory]
    [InlineData("not a url")]
    [InlineData("ftp://todoist.example/api/v1")]
    [InlineData("/api/v1")]
    public void A_bad_TODOIST_API_URL_fails_naming_the_variable(string url)
    {
        using var services = TodoistClientHost.BuildServices(url);

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<TodoistOptions>>().Value);

        Assert.Contains("TODOIST_API_URL", error.Message);
    }

    [Fact]
    public void A_request_timeout_beyond_the_deadline_fails_naming_the_settings()
    {
        using var services = TodoistClientHost.BuildServices("http://127.0.0.1:1/api/v1",
            new Dictionary<string, string?> { ["Todoist:RequestTimeout"] = "00:00:05", ["Todoist:Deadline"] = "00:00:03" });

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<TodoistOptions>>().Value);

        Assert.Contains("Todoist__Deadline", error.Message);
    }

    [Fact]
    public void The_default_url_is_Todoist_API_v1()
    {
        using var services = TodoistClientHost.BuildServices(null);

        Assert.Equal("https://api.todoist.com/api/v1", services.GetRequiredService<IOptions<TodoistOptions>>().Value.BaseAddress.ToString());
    }

    private static int ClosedPort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
