using Tips.Api.Features.Context;
using Tips.Api.Features.Recommendations;
using Tips.Contracts;

namespace Tips.Api.Tests.Recommender;

public sealed class TaskTipRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 2, 10, 0, 0, TimeSpan.Zero);

    private static ContextTask Task(string id, int priority = 1, string? due = null, bool overdue = false, int age = 0,
        bool today = false, bool recurring = false, DateTimeOffset? added = null, string content = "Task") =>
        new(new PromptTask(id, content, priority, due, overdue, age, []), today, recurring, added ?? Now.AddDays(-1),
            $"https://app.todoist.com/app/task/{id}");

    [Fact]
    public void An_overdue_task_gets_a_task_tip_that_says_how_late_it_is()
    {
        var tip = TaskTipRules.ForTask(Task("t1", priority: 4, due: "2026-02-27", overdue: true, age: 3, content: "Send Q1 report"), Now)!;

        Assert.Equal("task:t1", tip.Id);
        Assert.Equal(TipKind.Task, tip.Kind);
        Assert.Equal(TipSource.TaskDirect, tip.Source);
        Assert.Equal("t1", tip.TaskId);
        Assert.Contains("Send Q1 report", tip.Content);
        Assert.Contains("3 days overdue", tip.Content);
        Assert.Contains("Overdue by 3 days; urgent", tip.Rationale);
    }

    [Fact]
    public void A_task_overdue_since_this_morning_says_so()
    {
        var tip = TaskTipRules.ForTask(Task("t1", due: "2026-03-02T09:00:00", overdue: true, today: true, recurring: true), Now)!;

        Assert.Contains("due earlier today", tip.Content);
        Assert.Contains("recurring", tip.Rationale);
    }

    [Fact]
    public void A_task_due_later_today_gets_a_due_today_tip()
    {
        var tip = TaskTipRules.ForTask(Task("t1", priority: 3, due: "2026-03-02", today: true), Now)!;

        Assert.Contains("due today", tip.Content);
        Assert.Equal("Due today; high priority.", tip.Rationale);
    }

    [Fact]
    public void An_urgent_task_without_a_date_gets_a_tip()
    {
        var tip = TaskTipRules.ForTask(Task("t1", priority: 4), Now)!;

        Assert.Contains("urgent", tip.Content);
        Assert.Equal(TipKind.Task, tip.Kind);
    }

    [Fact]
    public void A_long_untouched_task_gets_a_reminder()
    {
        var tip = TaskTipRules.ForTask(Task("t1", added: Now.AddDays(-40)), Now)!;

        Assert.Equal(TipKind.Reminder, tip.Kind);
        Assert.Contains("40 days", tip.Content);
    }

    [Fact]
    public void An_ordinary_future_task_gets_no_tip()
    {
        Assert.Null(TaskTipRules.ForTask(Task("t1", priority: 2, due: "2026-03-09"), Now));
        Assert.Null(TaskTipRules.ForTask(Task("t2", priority: 3, due: "2026-03-09"), Now));
    }

    [Fact]
    public void Candidates_follow_the_task_order_and_stop_at_the_limit()
    {
        ContextTask[] tasks =
        [
            Task("a", overdue: true, age: 5), Task("b", priority: 2), Task("c", priority: 4), Task("d", today: true, due: "2026-03-02"),
        ];

        var tips = TaskTipRules.Candidates(tasks, Now, limit: 2);

        Assert.Equal(["a", "c"], tips.Select(t => t.TaskId));
    }

    [Fact]
    public void Long_titles_are_shortened_and_every_tip_fits_the_280_character_limit()
    {
        var tip = TaskTipRules.ForTask(Task("t1", overdue: true, age: 30, content: new string('x', 500)), Now)!;

        Assert.InRange(tip.Content.Length, 1, 280);
        Assert.Contains("…", tip.Content);
        Assert.Contains("a month or more overdue", tip.Content);
    }
}
