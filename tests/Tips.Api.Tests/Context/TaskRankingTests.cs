using Tips.Api.Features.Context;

namespace Tips.Api.Tests.Context;

public sealed class TaskRankingTests
{
    private static readonly TimeZoneInfo Madrid = TimeZoneInfo.FindSystemTimeZoneById("Europe/Madrid");
    private static readonly DateTimeOffset Now = new(2026, 3, 2, 10, 0, 0, TimeSpan.Zero);

    private static SnapshotTask Task(string id, int priority = 1, string? due = null, bool recurring = false, string? content = null) =>
        new(id, content ?? $"Task {id}", priority, due, recurring, [], null);

    private static IReadOnlyList<string> Order(params SnapshotTask[] tasks) =>
        [.. TaskRanking.Rank(tasks, Now, Madrid, 20).Select(t => t.Task.Id)];

    [Fact]
    public void Overdue_comes_first_then_priority_then_due_then_id()
    {
        var order = Order(
            Task("future-p4", 4, "2026-03-05"),
            Task("overdue-p1", 1, "2026-02-20"),
            Task("overdue-p3-old", 3, "2026-02-01"),
            Task("overdue-p3-new", 3, "2026-02-25"),
            Task("undated-p4", 4),
            Task("future-p4-sooner", 4, "2026-03-03"),
            Task("future-p1", 1, "2026-03-03"));

        Assert.Equal(
            ["overdue-p3-old", "overdue-p3-new", "overdue-p1", "future-p4-sooner", "future-p4", "undated-p4", "future-p1"],
            order);
    }

    [Fact]
    public void A_ranking_holds_until_the_next_dated_task_falls_due_or_else_until_the_persons_midnight()
    {
        // 11:00 in Madrid. Floating 12:30 is 11:30Z; the fixed one is 13:00Z; the overdue and all-day ones change nothing
        // before midnight, which in Madrid (UTC+1) is 23:00Z.
        var tasks = TaskRanking.Prepare(
            [Task("overdue", due: "2026-03-01T09:00:00Z"), Task("fixed", due: "2026-03-02T13:00:00Z"),
             Task("floating", due: "2026-03-02T12:30:00"), Task("all-day", due: "2026-03-02"), Task("undated")], Madrid);
        var laterOnly = TaskRanking.Prepare([Task("tomorrow", due: "2026-03-03T08:00:00Z"), Task("all-day", due: "2026-03-02")], Madrid);

        Assert.Equal(new DateTimeOffset(2026, 3, 2, 11, 30, 0, TimeSpan.Zero), TaskRanking.HoldsUntil(tasks, Now, Madrid));
        Assert.Equal(new DateTimeOffset(2026, 3, 2, 13, 0, 0, TimeSpan.Zero),
            TaskRanking.HoldsUntil(tasks, new DateTimeOffset(2026, 3, 2, 11, 30, 0, 1, TimeSpan.Zero), Madrid));
        Assert.Equal(new DateTimeOffset(2026, 3, 2, 23, 0, 0, TimeSpan.Zero), TaskRanking.HoldsUntil(laterOnly, Now, Madrid));
        // A task due this very moment is not overdue yet, and is the moment the ranking changes.
        Assert.Equal(new DateTimeOffset(2026, 3, 2, 13, 0, 0, TimeSpan.Zero),
            TaskRanking.HoldsUntil(tasks, new DateTimeOffset(2026, 3, 2, 13, 0, 0, TimeSpan.Zero), Madrid));
    }

    [Fact]
    public void Equal_tasks_keep_a_stable_order_by_id_whatever_order_they_came_in()
    {
        SnapshotTask[] tasks = [Task("b"), Task("a10"), Task("a9"), Task("A")];

        var once = Order(tasks);
        var reversed = Order([.. tasks.Reverse()]);

        Assert.Equal(["A", "a10", "a9", "b"], once);
        Assert.Equal(once, reversed);
    }

    [Fact]
    public void An_all_day_task_sorts_at_the_start_of_its_day()
    {
        var order = Order(Task("today-15h", 2, "2026-03-02T15:00:00"), Task("today-all-day", 2, "2026-03-02"));

        Assert.Equal(["today-all-day", "today-15h"], order);
    }

    [Fact]
    public void Truncation_keeps_the_most_pressing_tasks()
    {
        var tasks = Enumerable.Range(1, 30).Select(i => Task($"t{i:00}", 1 + (i % 4), i % 5 == 0 ? "2026-02-01" : null)).ToList();

        var ranked = TaskRanking.Rank(tasks, Now, Madrid, 5);

        Assert.Equal(5, ranked.Count);
        // Six overdue tasks (every fifth); the five kept are the overdue ones by priority: p4, p3, p3, p2, p2.
        Assert.Equal(["t15", "t10", "t30", "t05", "t25"], ranked.Select(t => t.Task.Id));
        Assert.All(ranked, t => Assert.True(t.Task.IsOverdue));
    }

    [Fact]
    public void Facts_for_rules_come_with_each_task()
    {
        var added = new DateTimeOffset(2026, 2, 1, 8, 0, 0, TimeSpan.Zero);
        var ranked = TaskRanking.Rank([new SnapshotTask("6X/Gg", "Water plants", 2, "2026-03-02", true, ["home"], added)], Now, Madrid, 20);

        var task = Assert.Single(ranked);
        Assert.True(task.IsDueToday);
        Assert.True(task.IsRecurring);
        Assert.Equal(added, task.AddedAt);
        Assert.Equal("https://app.todoist.com/app/task/6X%2FGg", task.Url);
        Assert.Equal(["home"], task.Task.Labels);
        Assert.Equal("2026-03-02", task.Task.Due);
    }

    [Fact]
    public void Long_content_is_cut_between_whole_characters()
    {
        var content = string.Concat(Enumerable.Repeat("👩🏽‍💻é", 400)); // 800 text elements, most of them several UTF-16 units

        var bounded = TaskRanking.Bound(content);

        Assert.Equal(TaskRanking.MaxContentLength, new System.Globalization.StringInfo(bounded).LengthInTextElements);
        Assert.EndsWith("…", bounded);
        Assert.StartsWith(bounded[..^1], content);
        Assert.Equal("Short ☕", TaskRanking.Bound("Short ☕"));
    }
}
