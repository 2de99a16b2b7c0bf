using Microsoft.EntityFrameworkCore;
using Tips.Api.Data;
using Tips.Contracts;

namespace Tips.Api.Features.Recommendations;

/// <summary>
/// Tips the person just acted on are not offered again at once: a task (or a tip's exact wording) marked done or
/// dismissed stays away for <see cref="RecommendationOptions.SuppressAfterFeedback"/>, a snoozed one for
/// <see cref="RecommendationOptions.SnoozeFor"/>. Todoist may still list a task the person marked done here.
/// </summary>
internal sealed class Suppression(HashSet<string> taskIds, HashSet<string> contents)
{
    public static Suppression None { get; } = new([], []);

    public bool Hides(TipCandidate candidate) =>
        (candidate.TaskId is { } id && taskIds.Contains(id)) || contents.Contains(candidate.Content.Trim());

    public static async Task<Suppression> ReadAsync(
        TipsDbContext db, string userId, DateTimeOffset now, RecommendationOptions options, CancellationToken cancellationToken)
    {
        var longest = options.SuppressAfterFeedback > options.SnoozeFor ? options.SuppressAfterFeedback : options.SnoozeFor;
        if (longest <= TimeSpan.Zero)
        {
            return None;
        }

        var since = now - longest;
        var recent = await (
                from f in db.TipFeedback
                join s in db.TipScores on f.TipId equals s.Id
                where f.UserId == userId && f.CreatedAt >= since &&
                      (f.Action == FeedbackAction.Done || f.Action == FeedbackAction.Dismiss || f.Action == FeedbackAction.Snooze)
                select new { f.Action, f.CreatedAt, s.TaskId, s.Content })
            .AsNoTracking()
            .ToListAsync(cancellationToken);

        var taskIds = new HashSet<string>(StringComparer.Ordinal);
        var contents = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var r in recent)
        {
            var window = r.Action == FeedbackAction.Snooze ? options.SnoozeFor : options.SuppressAfterFeedback;
            if (now - r.CreatedAt > window)
            {
                continue;
            }
            if (r.TaskId is not null)
            {
                taskIds.Add(r.TaskId);
            }
            contents.Add(r.Content.Trim());
        }
        return new Suppression(taskIds, contents);
    }
}
