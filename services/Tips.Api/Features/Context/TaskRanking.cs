using System.Globalization;
using Tips.Contracts;

namespace Tips.Api.Features.Context;

/// <summary>
/// Orders tasks the way the prompt and the rules see them: overdue first, then priority (4 = urgent first), then
/// due moment (earliest first, undated last), then id (ordinal) so that equal tasks keep a stable order; then keeps
/// the first <c>maxTasks</c>. Pure. What does not depend on the moment (parsing due dates, bounding content) is done
/// once by <see cref="Prepare"/> when a person's tasks are read; <see cref="Rank(IReadOnlyList{PreparedTask}, DateTimeOffset, TimeZoneInfo, int)"/>
/// runs on every request.
/// </summary>
internal static class TaskRanking
{
    /// <summary>Longest content handed on, in text elements (an emoji or an accented letter is one).</summary>
    public const int MaxContentLength = 500;

    public static IReadOnlyList<ContextTask> Rank(IEnumerable<SnapshotTask> tasks, DateTimeOffset now, TimeZoneInfo zone, int maxTasks) =>
        Rank(Prepare(tasks, zone), now, zone, maxTasks);

    /// <summary>The tasks with their due dates read in <paramref name="zone"/>, content bounded and links made.</summary>
    public static IReadOnlyList<PreparedTask> Prepare(IEnumerable<SnapshotTask> tasks, TimeZoneInfo zone) =>
        [.. tasks.Select(task =>
        {
            var due = DueDates.Parse(task.Due, zone);
            return new PreparedTask(
                task,
                due,
                // An all-day task sorts at the start of its day.
                due is { } m ? m.Instant ?? DueDates.AtWallClock(m.LocalDate.ToDateTime(TimeOnly.MinValue), zone) : null,
                Bound(task.Content),
                TaskUrl(task.Id));
        })];

    public static IReadOnlyList<ContextTask> Rank(IReadOnlyList<PreparedTask> tasks, DateTimeOffset now, TimeZoneInfo zone, int maxTasks)
    {
        var today = DueDates.Today(now, zone);
        return tasks
            .Select(t => (Prepared: t, Overdue: t.Due is { } d && DueDates.IsOverdue(d, now, today)))
            .OrderByDescending(t => t.Overdue)
            .ThenByDescending(t => t.Prepared.Task.Priority)
            .ThenBy(t => t.Prepared.SortKey is null)
            .ThenBy(t => t.Prepared.SortKey)
            .ThenBy(t => t.Prepared.Task.Id, StringComparer.Ordinal)
            .Take(maxTasks)
            .Select(t => new ContextTask(
                new PromptTask(
                    t.Prepared.Task.Id,
                    t.Prepared.Content,
                    t.Prepared.Task.Priority,
                    t.Prepared.Task.Due,
                    t.Overdue,
                    t.Prepared.Due is { } due ? DueDates.DueAgeDays(due, now, today) : 0,
                    t.Prepared.Task.Labels),
                t.Prepared.Due?.LocalDate == today,
                t.Prepared.Task.IsRecurring,
                t.Prepared.Task.AddedAt,
                t.Prepared.Url))
            .ToList();
    }

    /// <summary>
    /// The first moment at which <see cref="Rank"/> may answer otherwise for <paramref name="tasks"/> than at
    /// <paramref name="now"/>: a dated task falling due, or the end of the person's day (which changes what is overdue,
    /// how many days late, and what is due today). Before it, the same tasks rank the same.
    /// </summary>
    public static DateTimeOffset HoldsUntil(IReadOnlyList<PreparedTask> tasks, DateTimeOffset now, TimeZoneInfo zone)
    {
        var until = DueDates.AtWallClock(DueDates.Today(now, zone).AddDays(1).ToDateTime(TimeOnly.MinValue), zone);
        foreach (var task in tasks)
        {
            // Overdue once the moment has passed: at the moment itself it is not yet, so it is ranked again then.
            if (task.Due?.Instant is { } instant && instant >= now && instant < until)
            {
                until = instant;
            }
        }
        return until;
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

/// <summary>A task as read, with what ranking needs that does not change with the moment of the request.</summary>
/// <param name="SortKey">The due moment (an all-day task: the start of its day); null when undated.</param>
/// <param name="Content">The task's content, bounded to <see cref="TaskRanking.MaxContentLength"/>.</param>
internal sealed record PreparedTask(SnapshotTask Task, DueMoment? Due, DateTimeOffset? SortKey, string Content, string Url);
