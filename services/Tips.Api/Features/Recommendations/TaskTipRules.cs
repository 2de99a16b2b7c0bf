using System.Globalization;
using Tips.Api.Features.Context;
using Tips.Contracts;

namespace Tips.Api.Features.Recommendations;

/// <summary>
/// Task-direct candidates: rules over the person's sorted tasks, at most one tip per task (its most pressing
/// reason), each with the rationale a person would accept. Tasks arrive overdue first, then by priority and due
/// date, so the first tasks are the ones worth a tip.
/// </summary>
internal static class TaskTipRules
{
    /// <summary>A task added this long ago, with no date and no urgency, counts as long untouched.</summary>
    public const int LongUntouchedDays = 14;

    private const int MaxTitle = 200;

    public static List<TipCandidate> Candidates(IReadOnlyList<ContextTask> tasks, DateTimeOffset now, int limit)
    {
        var candidates = new List<TipCandidate>(Math.Min(limit, tasks.Count));
        foreach (var task in tasks)
        {
            if (candidates.Count == limit)
            {
                break;
            }
            if (ForTask(task, now) is { } candidate)
            {
                candidates.Add(candidate);
            }
        }
        return candidates;
    }

    /// <summary>
    /// The first moment after <paramref name="now"/> at which <see cref="ForTask"/> could word the tips of these same
    /// tasks otherwise: a task with no due date counting one more day since it was added. What else it reads (overdue,
    /// due today, priority) is fixed with the task ranking, which is redone when any of it could change.
    /// </summary>
    public static DateTimeOffset HoldsUntil(IReadOnlyList<ContextTask> tasks, DateTimeOffset now)
    {
        var until = DateTimeOffset.MaxValue;
        foreach (var task in tasks)
        {
            if (task.AddedAt is { } added && task.Task.Due is null)
            {
                var next = added.AddDays(Math.Floor((now - added).TotalDays) + 1);
                until = next < until ? next : until;
            }
        }
        return until;
    }

    public static TipCandidate? ForTask(ContextTask context, DateTimeOffset now)
    {
        var task = context.Task;
        var title = Title(task.Content);
        var urgency = task.Priority switch { 4 => "urgent", 3 => "high priority", _ => null };
        var withUrgency = urgency is null ? "" : $"; {urgency}";

        if (task.IsOverdue)
        {
            var late = task.DueAgeDays switch
            {
                0 => "was due earlier today",
                1 => "is 1 day overdue",
                >= 30 => "is a month or more overdue",
                var n => $"is {n.ToString(CultureInfo.InvariantCulture)} days overdue",
            };
            return Tip(task, TipKind.Task, $"Finish “{title}”: it {late}.",
                $"Overdue{(task.DueAgeDays > 0 ? $" by {Days(task.DueAgeDays)}" : "")}{withUrgency}{(context.IsRecurring ? "; recurring, so the next one is already coming" : "")}.");
        }

        if (context.IsDueToday)
        {
            return Tip(task, TipKind.Task, $"Do “{title}” today: it is due today.", $"Due today{withUrgency}.");
        }

        if (task.Priority == 4)
        {
            return Tip(task, TipKind.Task, $"Start on “{title}”: you marked it urgent.",
                task.Due is null ? "Urgent, with no due date set." : "Urgent; due later.");
        }

        if (context.AddedAt is { } added && task.Due is null && (now - added).TotalDays >= LongUntouchedDays)
        {
            var days = (int)(now - added).TotalDays;
            return Tip(task, TipKind.Reminder,
                $"“{title}” has waited {Days(days)} since you added it: take one small step, or let it go.",
                $"Open for {Days(days)} with no due date{withUrgency}.");
        }

        if (task.Priority == 3 && task.Due is null)
        {
            return Tip(task, TipKind.Task, $"Make progress on “{title}”: it is high priority and has no date.",
                "High priority, with no due date set.");
        }

        return null;
    }

    private static TipCandidate Tip(PromptTask task, TipKind kind, string content, string rationale) =>
        new($"task:{task.Id}", content, kind, TipSource.TaskDirect, rationale, TaskId: task.Id);

    private static string Days(int n) => n == 1 ? "1 day" : $"{n.ToString(CultureInfo.InvariantCulture)} days";

    private static string Title(string content)
    {
        var title = content.ReplaceLineEndings(" ").Trim();
        return title.Length <= MaxTitle ? title : string.Concat(title.AsSpan(0, MaxTitle - 1), "…");
    }
}
