using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Tips.Api.Features.Context;
using Tips.Api.Tests.Integrations;
using Tips.Api.Tests.Support;
using Tips.Contracts;
using Tips.TestSupport.FakeTodoist;

namespace Tips.Api.Tests.Context;

/// <summary>
/// The assembler through the real API host: a token connected with <c>PUT /integrations/todoist</c>, tasks served by
/// the fake Todoist, snapshots in Postgres. The API's clock starts at 2026-03-02T10:00Z (11:00 in Madrid).
/// </summary>
public sealed class ContextAssemblerTests : TodoistApiTest
{
    private const string Token = "aaaabbbbccccddddeeeeffff0000111122223333";

    private async Task<FakeTodoistAccount> ConnectWithTasksAsync(string timezone, params JsonObject[] tasks)
    {
        var account = Todoist.Account(Token);
        account.Timezone = timezone;
        account.Tasks.Clear();
        account.Tasks.AddRange(tasks);
        (await ConnectAsync("ana", Token)).EnsureSuccessStatusCode();
        return account;
    }

    [Fact]
    public async Task The_reference_tasks_come_ranked_with_their_facts()
    {
        Todoist.Account(Token);
        await ConnectAsync("ana", Token);

        var context = await AssembleAsync("ana");

        Assert.Equal(TasksOrigin.Fresh, context.Origin);
        Assert.Equal("Europe/Madrid", context.Prompt.Timezone);
        Assert.Equal(new DateTimeOffset(2026, 3, 2, 11, 0, 0, TimeSpan.FromHours(1)), context.Prompt.LocalTime);
        Assert.Equal(TimeSpan.FromHours(1), context.Prompt.LocalTime.Offset);
        Assert.Equal(
            [
                // Recurring, floating 09:00 in Madrid (08:00Z): overdue since this morning, urgent.
                new PromptTask("6XGgmFVcrG5RRjVr", "Send Q1 report", 4, "2026-03-02T09:00:00", true, 0, ["work"]),
                // All day on 28 February: two days overdue.
                new PromptTask("6XGgmFQrx44wfGHv", "Renew passport", 1, "2026-02-28", true, 2, []),
                // Fixed 14:30Z tomorrow.
                new PromptTask("6XGgmJ2pvRCjWv8h", "Call the dentist", 3, "2026-03-03T14:30:00Z", false, 0, ["calls"]),
                // No due date.
                new PromptTask("6XGgmMm3W7q9cPrr", "Read the onboarding doc", 2, null, false, 0, []),
            ],
            context.Prompt.Tasks,
            PromptTaskComparer.Instance);
        Assert.Equal(context.Prompt.Tasks, context.Tasks.Select(t => t.Task));

        var report = context.Tasks[0];
        Assert.True(report.IsRecurring);
        Assert.True(report.IsDueToday);
        Assert.Equal(new DateTimeOffset(2026, 2, 20, 10, 30, 0, 123, 456, TimeSpan.Zero), report.AddedAt);
        Assert.Equal("https://app.todoist.com/app/task/6XGgmFVcrG5RRjVr", report.Url);
        Assert.False(context.Tasks[3].IsRecurring);
        Assert.False(context.Tasks[3].IsDueToday);
    }

    [Fact]
    public async Task No_tasks_is_an_empty_context()
    {
        await ConnectWithTasksAsync("Europe/Madrid");

        var context = await AssembleAsync("ana");

        Assert.Equal(TasksOrigin.Fresh, context.Origin);
        Assert.Empty(context.Prompt.Tasks);
        Assert.Empty(context.Tasks);
        Assert.Equal(UserSignals.None, context.Prompt.Signals);
    }

    [Fact]
    public async Task Only_future_tasks_are_none_overdue_and_ranked_by_priority_then_due()
    {
        await ConnectWithTasksAsync("Europe/Madrid",
            FakeTodoistData.Task("f1", "Later, urgent", "2026-03-20", priority: 4),
            FakeTodoistData.Task("f2", "Sooner, normal", "2026-03-02T18:00:00", priority: 1),
            FakeTodoistData.Task("f3", "Sooner, urgent", "2026-03-03T08:00:00Z", priority: 4),
            FakeTodoistData.Task("f4", "Tomorrow, all day", "2026-03-03", priority: 1));

        var tasks = (await AssembleAsync("ana")).Prompt.Tasks;

        Assert.Equal(["f3", "f1", "f2", "f4"], tasks.Select(t => t.Id));
        Assert.All(tasks, t => Assert.False(t.IsOverdue));
        Assert.All(tasks, t => Assert.Equal(0, t.DueAgeDays));
    }

    [Fact]
    public async Task All_day_floating_and_fixed_dues_are_read_in_the_persons_timezone_across_a_date_boundary()
    {
        // 05:00Z on 3 March is 21:00 on 2 March in Los Angeles: UTC has moved to the 3rd, the person has not.
        await ConnectWithTasksAsync("America/Los_Angeles",
            FakeTodoistData.Task("all-day-today", "All day on the 2nd", "2026-03-02"),
            FakeTodoistData.Task("floating-22h", "22:00 on the 2nd, wall clock", "2026-03-02T22:00:00"),
            FakeTodoistData.Task("fixed-04z", "04:00Z on the 3rd", "2026-03-03T04:00:00Z"),
            FakeTodoistData.Task("floating-yesterday", "23:30 on the 1st, wall clock", "2026-03-01T23:30:00"));
        Api.Time.SetUtcNow(new DateTimeOffset(2026, 3, 3, 5, 0, 0, TimeSpan.Zero));

        var context = await AssembleAsync("ana");

        Assert.Equal(new DateTimeOffset(2026, 3, 2, 21, 0, 0, TimeSpan.FromHours(-8)), context.Prompt.LocalTime);
        var byId = context.Tasks.ToDictionary(t => t.Task.Id);
        // All day on the person's today: not overdue, though its date is before UTC's.
        Assert.False(byId["all-day-today"].Task.IsOverdue);
        Assert.True(byId["all-day-today"].IsDueToday);
        // 22:00 in Los Angeles is 06:00Z: still ahead (read as UTC it would be 7 hours late).
        Assert.False(byId["floating-22h"].Task.IsOverdue);
        // Fixed 04:00Z is an hour ago, on the person's today.
        Assert.True(byId["fixed-04z"].Task.IsOverdue);
        Assert.Equal(0, byId["fixed-04z"].Task.DueAgeDays);
        Assert.True(byId["fixed-04z"].IsDueToday);
        Assert.True(byId["floating-yesterday"].Task.IsOverdue);
        Assert.Equal(1, byId["floating-yesterday"].Task.DueAgeDays);
        Assert.Equal(["floating-yesterday", "fixed-04z", "all-day-today", "floating-22h"], context.Prompt.Tasks.Select(t => t.Id));
    }

    [Fact]
    public async Task A_recurring_task_keeps_Todoists_own_due_string()
    {
        await ConnectWithTasksAsync("Europe/Madrid",
            FakeTodoistData.Task("r1", "Stand-up", "2026-03-02T09:30:00", priority: 3, recurring: true),
            FakeTodoistData.Task("r2", "Water the plants", "2026-02-27", recurring: true));

        var tasks = (await AssembleAsync("ana")).Tasks;

        Assert.All(tasks, t => Assert.True(t.IsRecurring));
        Assert.Equal(["2026-03-02T09:30:00", "2026-02-27"], tasks.Select(t => t.Task.Due));
        Assert.Equal([0, 3], tasks.Select(t => t.Task.DueAgeDays));
    }

    [Fact]
    public async Task Tasks_without_a_due_date_follow_dated_ones_of_the_same_priority()
    {
        await ConnectWithTasksAsync("Europe/Madrid",
            FakeTodoistData.Task("u1", "Someday", priority: 2),
            FakeTodoistData.Task("d1", "Next week", "2026-03-09", priority: 2),
            FakeTodoistData.Task("u2", "Someday, urgent", priority: 4));

        var tasks = (await AssembleAsync("ana")).Prompt.Tasks;

        Assert.Equal(["u2", "d1", "u1"], tasks.Select(t => t.Id));
        Assert.Null(tasks[0].Due);
        Assert.False(tasks[0].IsOverdue);
        Assert.Equal(0, tasks[0].DueAgeDays);
    }

    [Fact]
    public async Task Priority_4_is_urgent_and_comes_first()
    {
        await ConnectWithTasksAsync("Europe/Madrid",
            FakeTodoistData.Task("p1", "p1 in the API is the lowest", priority: 1),
            FakeTodoistData.Task("p3", "p3", priority: 3),
            FakeTodoistData.Task("p4", "p4 in the API is the UI's p1", priority: 4),
            FakeTodoistData.Task("p2", "p2", priority: 2));

        var tasks = (await AssembleAsync("ana")).Prompt.Tasks;

        Assert.Equal(["p4", "p3", "p2", "p1"], tasks.Select(t => t.Id));
        Assert.Equal([4, 3, 2, 1], tasks.Select(t => t.Priority));
    }

    [Fact]
    public async Task Ties_are_broken_by_id_the_same_way_every_time()
    {
        var account = await ConnectWithTasksAsync("Europe/Madrid",
            FakeTodoistData.Task("t-b", "Same", "2026-03-04", priority: 2),
            FakeTodoistData.Task("t-a", "Same", "2026-03-04", priority: 2),
            FakeTodoistData.Task("t-c", "Same", "2026-03-04", priority: 2));

        var first = (await AssembleAsync("ana")).Prompt.Tasks.Select(t => t.Id).ToList();
        account.Tasks.Reverse();
        Api.Time.Advance(TimeSpan.FromMinutes(2));
        var second = (await AssembleAsync("ana")).Prompt.Tasks.Select(t => t.Id).ToList();

        Assert.Equal(["t-a", "t-b", "t-c"], first);
        Assert.Equal(first, second);
    }

    [Fact]
    public async Task Unicode_content_and_labels_survive_the_snapshot_unchanged()
    {
        const string content = "Llamar a la abuela 👵🏽 — café ☕ · 日本語のタスク · עברית · Ωμέγα · e\u0301";
        await ConnectWithTasksAsync("Europe/Madrid", FakeTodoistData.Task("u", content, labels: ["家族", "📞"]));

        var fresh = await AssembleAsync("ana");
        var cached = await AssembleAsync("ana");

        Assert.Equal(TasksOrigin.Cached, cached.Origin);
        Assert.Equal(content, fresh.Prompt.Tasks[0].Content);
        Assert.Equal(content, cached.Prompt.Tasks[0].Content);
        Assert.Equal(["家族", "📞"], cached.Prompt.Tasks[0].Labels);
    }

    [Fact]
    public async Task A_person_who_never_connected_gets_signals_and_no_tasks_in_UTC()
    {
        var context = await AssembleAsync("nobody");

        Assert.Equal(TasksOrigin.NotConnected, context.Origin);
        Assert.Empty(context.Prompt.Tasks);
        Assert.Equal("UTC", context.Prompt.Timezone);
        Assert.Equal(Api.Time.GetUtcNow(), context.Prompt.LocalTime);
        Assert.Equal(TimeSpan.Zero, context.Prompt.LocalTime.Offset);
        Assert.Empty(Todoist.Requests);
    }

    [Fact]
    public async Task Feedback_refreshes_the_signals_at_once_but_not_the_tasks_and_a_new_token_refreshes_both()
    {
        await ConnectWithTasksAsync("Europe/Madrid", FakeTodoistData.Task("t-a", "Task A"));
        var served = await Api.ClientFor("ana").GetFromJsonAsync<TipsResponse>("/tips", TipsJson.Options);
        var before = await AssembleAsync("ana");
        // Changed behind the cache's back: only a read of the snapshot would see it.
        await ExecuteAsync("UPDATE task_snapshots SET tasks = '[]' WHERE user_id = $1", "ana");

        (await Api.ClientFor("ana").PostAsJsonAsync($"/tips/{served!.Tips[0].Id}/feedback", new { action = "done" }))
            .EnsureSuccessStatusCode();
        var afterFeedback = await AssembleAsync("ana");

        Assert.Equal(0, before.Prompt.Signals.CompletionRate30d);
        Assert.Equal(1, afterFeedback.Prompt.Signals.CompletionRate30d);
        Assert.Equal(["t-a"], afterFeedback.Prompt.Tasks.Select(t => t.Id));

        Todoist.Account(Token).Tasks.Clear();
        (await ConnectAsync("ana", Token)).EnsureSuccessStatusCode();
        var afterToken = await AssembleAsync("ana");

        Assert.Empty(afterToken.Prompt.Tasks);
        Assert.Equal(TasksOrigin.Fresh, afterToken.Origin);
    }

    [Fact]
    public async Task A_kept_ranking_is_reused_until_a_task_falls_due_and_again_until_the_persons_day_ends()
    {
        // 12:59:40Z, 13:59:40 in Madrid. Tasks, timezone and ranking are all kept for the minute that follows.
        Api.Time.SetUtcNow(new DateTimeOffset(2026, 3, 2, 12, 59, 40, TimeSpan.Zero));
        await ConnectWithTasksAsync("Europe/Madrid",
            FakeTodoistData.Task("urgent", "Urgent, undated", priority: 4),
            FakeTodoistData.Task("at-13z", "Due at 13:00Z", "2026-03-02T13:00:00Z"),
            FakeTodoistData.Task("all-day", "All day today", "2026-03-02"));

        var first = await AssembleAsync("ana");
        Api.Time.Advance(TimeSpan.FromSeconds(10));
        var unchanged = await AssembleAsync("ana");
        Api.Time.Advance(TimeSpan.FromSeconds(15)); // 13:00:05Z: at-13z is now overdue
        var fallenDue = await AssembleAsync("ana");

        Assert.Equal(["urgent", "all-day", "at-13z"], first.Prompt.Tasks.Select(t => t.Id));
        Assert.Same(first.Tasks, unchanged.Tasks);
        Assert.NotEqual(first.Prompt.LocalTime, unchanged.Prompt.LocalTime);
        Assert.Equal(["at-13z", "urgent", "all-day"], fallenDue.Prompt.Tasks.Select(t => t.Id));
        Assert.True(fallenDue.Tasks[0].Task.IsOverdue);
        Assert.Equal(TasksOrigin.Cached, fallenDue.Origin);

        // 22:59:50Z is 23:59:50 in Madrid; ten seconds later it is the 3rd there, and the all-day task is a day late.
        Api.Time.SetUtcNow(new DateTimeOffset(2026, 3, 2, 22, 59, 50, TimeSpan.Zero));
        var beforeMidnight = await AssembleAsync("ana");
        Api.Time.Advance(TimeSpan.FromSeconds(10));
        var afterMidnight = await AssembleAsync("ana");

        Assert.Equal(["at-13z", "urgent", "all-day"], beforeMidnight.Prompt.Tasks.Select(t => t.Id));
        Assert.True(beforeMidnight.Tasks[2].IsDueToday);
        Assert.Equal(["all-day", "at-13z", "urgent"], afterMidnight.Prompt.Tasks.Select(t => t.Id));
        Assert.Equal([1, 1], afterMidnight.Tasks.Take(2).Select(t => t.Task.DueAgeDays));
        Assert.False(afterMidnight.Tasks[0].IsDueToday);
        Assert.Equal(TasksOrigin.Cached, afterMidnight.Origin);
    }

    /// <summary>Compares prompt tasks by value, labels included (records compare lists by reference).</summary>
    private sealed class PromptTaskComparer : IEqualityComparer<PromptTask>
    {
        public static readonly PromptTaskComparer Instance = new();

        public bool Equals(PromptTask? x, PromptTask? y) =>
            x is not null && y is not null && x with { Labels = [] } == y with { Labels = [] } && x.Labels.SequenceEqual(y.Labels);

        public int GetHashCode(PromptTask obj) => obj.Id.GetHashCode(StringComparison.Ordinal);
    }
}

/// <summary>Truncation needs its own setting, so its own API.</summary>
public sealed class ContextTruncationTests : TodoistApiTest
{
    protected override void Configure(TipsApiFactory api) => api.With("Context:MaxTasks", "3");

    [Fact]
    public async Task Only_the_most_pressing_tasks_are_kept_up_to_the_configured_bound()
    {
        var account = Todoist.Account("truncate-token-0123456789");
        account.Tasks.Clear();
        account.Tasks.AddRange(Enumerable.Range(1, 12).Select(i => FakeTodoistData.Task($"n{i:00}", $"Task {i}", priority: 1)));
        account.Tasks.Add(FakeTodoistData.Task("late", "Overdue one", "2026-02-10"));
        account.Tasks.Add(FakeTodoistData.Task("urgent", "Urgent one", priority: 4));
        await ConnectAsync("ana", "truncate-token-0123456789");

        var context = await AssembleAsync("ana");

        Assert.Equal(["late", "urgent", "n01"], context.Prompt.Tasks.Select(t => t.Id));
        Assert.Equal(context.Prompt.Tasks, context.Tasks.Select(t => t.Task));
    }
}
