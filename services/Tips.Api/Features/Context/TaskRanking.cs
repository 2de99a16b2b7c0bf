using System.Globalization;
using Tips.Contracts;

namespace Tips.Api.Features.Context;

/// <summary>
/// Orders tasks the way the prompt and the rules see them: overdue first, then priority (4 = urgent first), then
/// due moment (earliest first, undated last), then id (ordinal) so that equal tasks keep a stable order; then keeps
/// the first <c>maxTasks</c>. Pure.
/// </summary>
internal static class TaskRanking
{
    /// <summary>Longest content handed on, in text elements (an emoji or an accented letter is one).</summary>
    public const int MaxContentLength = 500;

    public static IReadOnlyList<ContextTask> Rank(IEnumerable<SnapshotTask> tasks, DateTimeOffset now, TimeZoneInfo zone, int maxTasks)
    {
        var today = DueDates.Today(now, zone);
        return tasks
            .Select(task =>
            {
                var due = DueDates.Parse(task.Due, zone);
                var overdue = due is { } d && DueDates.IsOverdue(d, now, zone);
                return new
                {
                    Task = task,
                    Due = due,
                    Overdue = overdue,
                    // An all-day task sorts at the start of its day.
                    SortKey = due is { } m ? m.Instant ?? DueDates.AtWallClock(m.LocalDate.ToDateTime(TimeOnly.MinValue), zone) : (DateTimeOffset?)null,
                };
            })
            .OrderByDescending(t => t.Overdue)
            .ThenByDescending(t => t.Task.Priority)
            .ThenBy(t => t.SortKey is null)
            .ThenBy(t => t.SortKey)
            .ThenBy(t => t.Task.Id, StringComparer.Ordinal)
            .Take(maxTasks)
            .Select(t => new ContextTask(
                new PromptTask(
                    t.Task.Id,
                    Bound(t.Task.Content),
                    t.Task.Priority,
                    t.Task.Due,
                    t.Overdue,
                    t.Due is { } due ? DueDates.DueAgeDays(due, now, zone) : 0,
                    t.Task.Labels),
                t.Due?.LocalDate == today,
                t.Task.IsRecurring,
                t.Task.AddedAt,
                TaskUrl(t.Task.Id)))
            .ToList();
    }

    /// <summary>Todoist tasks have no <c>url</c> field in API v1; this is the web app's link.</summary>
    public static string TaskUrl(string id) => $"https://app.todoist.com/app/task/{Uri.EscapeDataString(id)}";

    /// <summary>Cuts long content at a text-element boundary, so that no emoji or combined letter is split.</summary>
    public static string Bound(string content)
    {
        var info = new StringInfo(content);
        return info.LengthInTextElements <= MaxContentLength
            ? content
            : info.SubstringByTextElements(0, MaxContentLength - 1) + "…";
    }
}
